"""Production settings: everything secure by default; secrets and hosts must come from the env.

Selected automatically when ONESTOP_ENV=production (see manage.py / wsgi.py).
"""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ["ONESTOP_ENV"] = "production"

from onestop.config.env import env, env_bool, env_int

from .base import *  # noqa: F403

DEBUG = False
if not env("ONESTOP_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ONESTOP_ALLOWED_HOSTS is required when ONESTOP_ENV=production.")

SECURE_SSL_REDIRECT = env_bool("ONESTOP_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("ONESTOP_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
