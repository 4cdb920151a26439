"""Write the published catalogue as YAML in the import format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from onestop.catalogue.yaml_export import catalogue_export_yaml


class Command(BaseCommand):
    help = "Export the published catalogue (items and lists) as catalogue YAML."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
        parser.add_argument("--region", help="GB/T 2260 code to restrict to, e.g. 450000")

    def handle(self, *args: Any, **options: Any) -> None:
        text = catalogue_export_yaml(region=options.get("region"))
        if options.get("output"):
            options["output"].write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
