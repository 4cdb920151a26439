"""Import catalogue YAML (all or nothing). Without arguments, the shipped catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onestop.catalogue.services import catalogue_import
from onestop.catalogue.specs import CatalogueError


class Command(BaseCommand):
    help = "Import service items and lists from catalogue YAML files (default: the shipped ones)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        files = options["files"] or None
        for path in files or []:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        try:
            report = catalogue_import(actor=None, paths=files)
        except CatalogueError as exc:
            raise CommandError(
                f"catalogue not imported ({len(exc.errors)} problems, nothing was written):\n  "
                + "\n  ".join(exc.errors)
            ) from exc
        self.stdout.write(report.summary())
