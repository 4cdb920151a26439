"""Load the shipped policy documents, measures and commitments (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.policy.loader import DATA_DIR, PolicyDataError
from onestop.policy.services import policy_data_load


class Command(BaseCommand):
    help = "Load policy documents, measures and commitments from YAML (updates in place)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="directory holding documents.yaml, measures/*.yaml and commitments.yaml",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = policy_data_load(actor=None, data_dir=options["data_dir"])
        except PolicyDataError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"policy: {result.documents} documents, "
                f"{result.measures_created} measures created, {result.measures_updated} updated "
                f"({result.parts} parts), {result.commitments_created} commitments created, "
                f"{result.commitments_updated} updated"
            )
        )
