"""``manage.py flush`` that may empty the audit log.

Django's ``flush`` (also run by the test runner after every transactional test) deletes every
row of every table; the audit-log triggers refuse that unless the statement runs inside a purge
window. This command is Django's own, run inside one transaction with that window open.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from onestop.core.models.audit import audit_purge_window


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options.get("database", DEFAULT_DB_ALIAS)
        connection = connections[database]
        with transaction.atomic(using=database), audit_purge_window(connection):
            super().handle(**options)
