"""Normalising and validating identity numbers for accounts: one place that delegates to the
shared ``onestop.core.identity`` (python-stdnum and phonenumbers underneath).

Each function returns the normalised string that is stored (encrypted) and hashed, or raises
``django.core.exceptions.ValidationError`` with a specific, translated message.
"""

from __future__ import annotations

from onestop.core import identity


def normalise_id_number(value: str) -> str:
    """A resident ID number (GB 11643): 18 upper-case characters."""
    return identity.resident_id_normalise(value)


def normalise_credit_code(value: str) -> str:
    """A unified social credit code (GB 32100): 18 upper-case characters."""
    return identity.credit_code_normalise(value)


def normalise_mobile(value: str) -> str:
    """A mainland China mobile number as 11 digits (accepts +86, spaces, dashes, full-width)."""
    return identity.mobile_normalise(value)
