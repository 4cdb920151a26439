from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onestop.accounts.services import roles_sync


class Command(BaseCommand):
    help = "Create the staff role groups and (re)set their permissions. Safe to run repeatedly."

    def handle(self, *args: Any, **options: Any) -> None:
        result = roles_sync(actor=None)
        if options["verbosity"] >= 1:
            for role, count in result.items():
                self.stdout.write(f"{role}: {count} permissions")
