"""Settings for the test suite. Database and Redis come from ONESTOP_* like everywhere else."""

import os

os.environ.setdefault("ONESTOP_LOCKOUT_FAILURES", "5")

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's in-memory shared-cache database: with shared cache, a second
    # connection (a background job thread beside the live server, which shares the test
    # thread's connection) fails at once with "database table is locked" instead of waiting on
    # the busy timeout. A file in WAL mode behaves like the demo: writers queue, readers don't
    # block.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-sqlite.sqlite3")}  # noqa: F405
