"""Fill the reminder register with synthetic documents (demo data, benchmarks)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from onestop.messaging.reminders import synthetic_documents


class Command(BaseCommand):
    help = "Create synthetic register documents for expiry reminders."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        created = synthetic_documents(
            count=options["count"], today=timezone.localdate(), seed=options["seed"]
        )
        self.stdout.write(f"{created} documents created")
