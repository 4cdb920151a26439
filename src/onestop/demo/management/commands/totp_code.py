"""Print the current TOTP code of a demo officer (never in production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ONESTOP_ENV == "production":
            raise CommandError("totp_code is a demo helper and is disabled in production")
        device = TOTPDevice.objects.filter(
            user__username=options["username"], confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"no confirmed TOTP device for {options['username']!r}")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
