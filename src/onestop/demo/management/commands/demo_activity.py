"""Generate a year of realistic demo activity after ``manage.py demo_load`` (see
``onestop.demo.activity``). Re-running replaces the activity a previous run generated."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onestop.demo.activity import ActivityError, generate_activity


class Command(BaseCommand):
    help = (
        "Generate demo activity (cases, desk tickets, ratings, seal orders, fines); "
        "not in production."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=365, help="length of the period in days")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="volume (1.0: ~15,000 cases a year)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ONESTOP_ENV == "production":
            raise CommandError("demo activity is never generated with ONESTOP_ENV=production")
        if options["days"] < 1 or options["scale"] <= 0:
            raise CommandError("--days must be at least 1 and --scale positive")
        started = time.monotonic()
        try:
            counts = generate_activity(
                days=options["days"], scale=options["scale"], seed=options["seed"]
            )
        except ActivityError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{kind} {n}" for kind, n in counts.items())
        self.stdout.write(f"demo activity: {summary} ({time.monotonic() - started:.1f} s)")
