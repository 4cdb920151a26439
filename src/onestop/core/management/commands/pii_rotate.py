"""Re-encrypt every ``EncryptedTextField`` value under the current PII key.

Rotation: put the new key first in ONESTOP_PII_KEYS, keep the old ones after it, run
``manage.py pii_rotate``, then remove the old keys. Safe to run twice: values already under the
current key (and bound to their column) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, router, transaction

from onestop.core import pii
from onestop.core.fields import EncryptedTextField

BATCH = 500


@dataclass
class Counts:
    rotated: int = 0
    current: int = 0


def encrypted_columns() -> list[tuple[Any, EncryptedTextField]]:
    """Every (model, field) pair holding encrypted personal data, each column once."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        for field in meta.local_concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found


class Command(BaseCommand):
    help = "Re-encrypt all personal data under the current key of ONESTOP_PII_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        current = pii.keyring().current_id
        total = Counts()
        for model, field in encrypted_columns():
            counts = self._rotate_column(model, field, dry_run=dry_run)
            total.rotated += counts.rotated
            total.current += counts.current
            self.stdout.write(
                f"{model._meta.label}.{field.name}: {counts.rotated} re-encrypted, "
                f"{counts.current} already current"
            )
        verb = "would be re-encrypted" if dry_run else "re-encrypted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{total.rotated} value(s) {verb} under key {current!r}; "
                f"{total.current} already current."
            )
        )

    def _rotate_column(self, model: Any, field: EncryptedTextField, *, dry_run: bool) -> Counts:
        using = router.db_for_write(model)
        connection = connections[using]
        qn = connection.ops.quote_name
        table, column = qn(model._meta.db_table), qn(field.column)
        pk = qn(model._meta.pk.column)
        current = pii.keyring().current_id
        counts = Counts()
        last_pk: Any = None
        while True:
            # Raw SQL: the ORM would hand back plaintext, and some models refuse updates.
            sql = (
                f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''"  # noqa: S608
            )
            params: list[Any] = []
            if last_pk is not None:
                sql += f" AND {pk} > %s"
                params.append(last_pk)
            sql += f" ORDER BY {pk} LIMIT {BATCH}"
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            if not rows:
                return counts
            updates: list[tuple[str, Any]] = []
            for row_pk, token in rows:
                last_pk = row_pk
                try:
                    plaintext, bound = self._decrypt(field, token)
                except (pii.PiiKeyError, pii.PiiDecryptionError) as exc:
                    raise CommandError(
                        f"{model._meta.label}.{field.name} pk={row_pk}: {exc}"
                    ) from exc
                if bound and pii.token_key_id(token) == current:
                    counts.current += 1
                    continue
                counts.rotated += 1
                updates.append((field.encrypt_value(plaintext), row_pk))
            if updates and not dry_run:
                with transaction.atomic(using=using), connection.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        updates,
                    )

    @staticmethod
    def _decrypt(field: EncryptedTextField, token: str) -> tuple[str, bool]:
        """The plaintext, and whether the token is bound to its column (not legacy)."""
        try:
            return pii.decrypt(token, associated_data=field.associated_data), True
        except pii.PiiDecryptionError:
            return pii.decrypt(token, associated_data=pii.LEGACY_AD), False
