"""Certificate identifiers in the GB/T 36904 structure as practised by provincial certificate
libraries::

    1.2.156.3005.2.<type code>.<issuer credit code>.<serial>.<version>.<check character>

What follows the standard (and the national practice): the OID arc ``1.2.156.3005.2`` (China →
electronic certificates → certificate identifiers), the order of the components, the issuer as
an 18-character unified social credit code (GB 32100), a version number and a trailing check
character.

What is our choice (documented in docs/certificates.md): the type codes are platform placeholders
(``OS0001`` …) until a deployment configures the codes of the national catalogue; the serial is a
7-digit per-issuer counter and the version 3 digits; the check character is ISO 7064 MOD 37,36
(GB/T 17710) over the letters and digits of everything before it, dots removed.
"""

from __future__ import annotations

import re

from stdnum.iso7064 import mod_37_36

ARC = "1.2.156.3005.2"
_PATTERN = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{1,24})\.(?P<issuer>[0-9A-Z]{18})\."
    r"(?P<serial>\d{7})\.(?P<version>\d{3})\.(?P<check>[0-9A-Z])$"
)


def _check_character(body: str) -> str:
    return str(mod_37_36.calc_check_digit(body.replace(".", "")))


def build(*, type_code: str, issuer_credit_code: str, serial: int, version: int) -> str:
    body = f"{ARC}.{type_code}.{issuer_credit_code}.{serial:07d}.{version:03d}"
    return f"{body}.{_check_character(body)}"


def is_valid(identifier: str) -> bool:
    """Shape and check character (a typo in a hand-typed identifier is caught here)."""
    identifier = identifier.strip().upper()
    if not _PATTERN.match(identifier):
        return False
    body, _sep, check = identifier.rpartition(".")
    return _check_character(body) == check


def normalise(identifier: str) -> str:
    return identifier.strip().upper()
