"""Run the expiry reminder sweep for today (what the daily periodic job does)."""

from typing import Any

from django.core.management.base import BaseCommand

from onestop.messaging.reminders import reminders_sweep


class Command(BaseCommand):
    help = "Enqueue the expiry reminders due today."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders_sweep()
        self.stdout.write(
            f"scanned {result.scanned}, enqueued {result.enqueued}, skipped {result.skipped}"
        )
