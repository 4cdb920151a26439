"""``manage.py verification_generate --persons N``: synthetic population register rows."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onestop.verification.models import PopulationRecord
from onestop.verification.registers import population_generate


class Command(BaseCommand):
    help = "Add synthetic people to the population register (demo and benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=10_000)
        parser.add_argument(
            "--start", type=int, default=None, help="first index (default: continue after the last)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = options["start"]
        if start is None:
            start = PopulationRecord.objects.count()
        began = time.perf_counter()
        written = population_generate(count=options["persons"], start=start)
        self.stdout.write(
            f"generated {written} people (index {start}…{start + written - 1}) "
            f"in {time.perf_counter() - began:.1f}s"
        )
