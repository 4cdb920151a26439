"""Model fields for personal data: encrypted at rest, with a keyed-hash twin for lookups.

``EncryptedTextField`` stores an AES-GCM token bound to its column and hands Python code the
plaintext; it never appears in a query. Look rows up through the paired ``*_hash`` column
(``pii.lookup_hash``). Displays use the masks in ``onestop.core.pii``; showing the full value is
``pii_reveal`` (``onestop.core.services``), which writes an audit event.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from onestop.core import pii


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (AES-256-GCM)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("unique") or kwargs.get("db_index") or kwargs.get("primary_key"):
            raise TypeError(
                "EncryptedTextField values are randomised; index or make unique the keyed-hash "
                "column (LookupHashField) instead."
            )
        super().__init__(*args, **kwargs)

    @property
    def associated_data(self) -> bytes:
        """Binds ciphertexts to this column: ``onestop-pii:<app_label.model>.<field>``."""
        model = getattr(self, "model", None)
        if model is None:  # an unbound field (e.g. in a migration state); never used for data
            return pii.LEGACY_AD
        return f"onestop-pii:{model._meta.label_lower}.{self.name}".encode()

    def encrypt_value(self, plaintext: str) -> str:
        return pii.encrypt(plaintext, associated_data=self.associated_data)

    def decrypt_value(self, token: str) -> str:
        return pii.decrypt(token, associated_data=self.associated_data, fallback_ad=pii.LEGACY_AD)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return self.decrypt_value(value)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return self.encrypt_value(str(value))

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

    def deconstruct(self) -> Any:
        # db_index always stated: Django omits False (the Field default), and the field read
        # back from a migration then took this class's default, True, so db_index=False was
        # silently ignored and the index created anyway.
        name, path, args, kwargs = super().deconstruct()
        kwargs["db_index"] = bool(getattr(self, "db_index", False))  # (not in the stubs)
        return name, path, args, kwargs
