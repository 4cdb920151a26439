"""Developer and demo settings: DEBUG on, SQLite by default, console e-mail."""

from onestop.config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("ONESTOP_DEBUG", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
INTERNAL_IPS = ["127.0.0.1"]
