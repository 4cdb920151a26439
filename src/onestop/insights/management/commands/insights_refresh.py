"""Bring the insights roll-ups up to date now (the nightly ``insights.rollup`` job does the same),
and optionally archive last month's report (what the monthly job does on the 1st)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onestop.insights.services import monthly_report_generate, rollup_refresh


class Command(BaseCommand):
    help = "Refresh the commitments dashboard's daily roll-ups (incremental unless --full)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild every day from scratch")
        parser.add_argument(
            "--report", action="store_true", help="then render and archive last month's report"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stats = rollup_refresh(full=options["full"])
        summary = ", ".join(f"{k} {v}" for k, v in stats.as_dict().items())
        self.stdout.write(f"insights roll-up: {summary}")
        if options["report"]:
            report = monthly_report_generate()
            self.stdout.write(f"monthly report {report.month:%Y-%m}: {report.size} bytes")
