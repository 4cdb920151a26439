"""Model fields for personal data: encrypted at rest, with a keyed-hash twin for lookups.

``EncryptedTextField`` stores an AES-GCM token and hands Python code the plaintext; it never
appears in a query. Look rows up through the paired ``*_hash`` column (``pii.lookup_hash``).
Displays use the masks in ``onestop.core.pii``; showing the full value is ``pii_reveal``
(``onestop.core.services``), which writes an audit event.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from onestop.core import pii


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (AES-256-GCM)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return pii.decrypt(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return pii.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            raise TypeError(
                "Encrypted fields cannot be filtered; filter on the keyed-hash column instead."
            )
        return super().get_lookup(lookup_name)


class LookupHashField(models.CharField):
    description = "Keyed HMAC-SHA256 of a normalised personal datum"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
