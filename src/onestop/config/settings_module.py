"""Pick the settings module from ONESTOP_ENV (production → production, else dev)."""

import os


def default_settings_module() -> str:
    if os.environ.get("ONESTOP_ENV") == "production":
        return "onestop.config.settings.production"
    return "onestop.config.settings.dev"


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())
