"""Create the default message templates that are missing (edited templates are kept)."""

from typing import Any

from django.core.management.base import BaseCommand

from onestop.messaging.defaults import templates_install
from onestop.messaging.models import MessageTemplate


class Command(BaseCommand):
    help = "Create the missing default message templates (zh-Hans and en)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = templates_install(MessageTemplate)
        self.stdout.write(f"{created} templates created")
