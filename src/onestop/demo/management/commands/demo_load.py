"""Load the demo organisation, officers, persons and enterprises. Idempotent: a second run
changes nothing and finishes in about a second."""

from __future__ import annotations

import hashlib
from base64 import b32encode
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts import services as account_services
from onestop.accounts.models import Unit, User
from onestop.demo.people import PEOPLE, load_people
from onestop.demo.staff import DEMO_PASSWORD, STAFF
from onestop.demo.units import TREES, UnitSpec

#: Modules whose ``demo.load_demo()`` adds demo records after the shared data.
DEMO_MODULES = ["messaging", "payments", "certificates", "seals", "desk", "verification"]


def demo_totp_key(username: str) -> str:
    """Deterministic 20-byte TOTP key (hex) for a demo account."""
    return hashlib.sha1(f"onestop-demo:{username}".encode(), usedforsecurity=False).hexdigest()


def demo_totp_secret(username: str) -> str:
    return b32encode(bytes.fromhex(demo_totp_key(username))).decode()


class Command(BaseCommand):
    help = "Load the demo units, officers, persons and enterprises (not in production)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="do not print the demo accounts"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ONESTOP_ENV == "production":
            raise CommandError("demo data is never loaded with ONESTOP_ENV=production")
        call_command("roles_sync", verbosity=0)
        with transaction.atomic():
            created_units = sum(self._load_unit(spec, None) for spec in TREES)
            created_staff = self._load_staff()
            created_people = load_people()
        self.stdout.write(
            f"demo data: {created_units} units, {created_staff} officers, "
            f"{created_people} persons/enterprises created "
            f"({Unit.objects.count()} units, {User.objects.count()} users in all)"
        )
        # The shipped policy measures and service catalogue (not demo data: any bureau loads them).
        call_command("policy_load", stdout=self.stdout)
        call_command("catalogue_import", stdout=self.stdout)
        # Each module's own demo records (idempotent), built on the units, people and catalogue.
        for module in DEMO_MODULES:
            import_module(f"onestop.{module}.demo").load_demo()
        self.stdout.write(f"module demo data: {', '.join(DEMO_MODULES)}")
        if not options["quiet_accounts"]:
            self._print_accounts()

    def _load_unit(self, spec: UnitSpec, parent: Unit | None) -> int:
        created = 0
        unit = Unit.objects.filter(code=spec["code"]).first()
        if unit is None:
            unit = account_services.unit_create(
                actor=None,
                code=spec["code"],
                name=spec["name"],
                kind=spec["kind"],
                region_code=spec["region_code"],
                parent=parent,
                short_name=spec.get("short_name", ""),
                address=spec.get("address", ""),
                phone=spec.get("phone", ""),
            )
            created = 1
        for child in spec.get("children", []):
            created += self._load_unit(child, unit)
        return created

    def _load_staff(self) -> int:
        created = 0
        for spec in STAFF:
            if User.objects.filter(username=spec.username).exists():
                continue
            user = account_services.staff_create(
                actor=None,
                username=spec.username,
                password=DEMO_PASSWORD,
                unit=Unit.objects.get(code=spec.unit_code),
                roles=list(spec.roles),
                last_name=spec.name[0],
                first_name=spec.name[1:],
                police_number=spec.police_number,
            )
            TOTPDevice.objects.create(
                user=user, name="demo", confirmed=True, key=demo_totp_key(spec.username)
            )
            created += 1
        return created

    def _print_accounts(self) -> None:
        w = self.stdout.write
        w("")
        w(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        w("  Staff portal /work/ — after the password, enter the TOTP code from an authenticator")
        w("  app set up with the secret below, or print it:")
        w("  .venv/bin/python manage.py totp_code USERNAME")
        for spec in STAFF:
            w(
                f"    {spec.username:<15} {'/'.join(spec.roles):<25} {spec.unit_code:<12} "
                f"TOTP secret {demo_totp_secret(spec.username)}"
            )
        w("  Public portal /account/login/ — mobile number + password, or an SMS code")
        w("  (codes appear at /account/demo-outbox/):")
        for person in PEOPLE:
            w(f"    {person.mobile:<15} {person.name:<6} {person.note}")
