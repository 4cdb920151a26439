"""``manage.py verification_import <register> <file.csv>``: import a register extract."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.verification.registers import REGISTERS, ImportRefused, register_import


class Command(BaseCommand):
    help = "Import a register extract (population, wanted, person_risk, enterprise_risk) from CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("register", choices=REGISTERS)
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["path"], "rb") as file:
                count = register_import(actor=None, register=options["register"], file=file)
        except ImportRefused as exc:
            raise CommandError("\n".join(exc.problems)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"imported {count} rows into {options['register']}")
