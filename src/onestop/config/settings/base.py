"""Settings shared by every environment; everything deployment-specific comes from ONESTOP_*."""

from __future__ import annotations

import base64
import os

import dj_database_url
from django.utils.translation import gettext_lazy as _

from onestop.config.env import (
    BASE_DIR,
    VAR_DIR,
    env,
    env_bool,
    env_int,
    env_list,
    secret_from_file_or_generate,
)

ONESTOP_ENV = env("ONESTOP_ENV", "development")
PRODUCTION = ONESTOP_ENV == "production"

SECRET_KEY = secret_from_file_or_generate(
    "ONESTOP_SECRET_KEY", "secret_key.txt", production=PRODUCTION
)
DEBUG = env_bool("ONESTOP_DEBUG", False)
ALLOWED_HOSTS = env_list("ONESTOP_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("ONESTOP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "onestop.core",
    "onestop.accounts",
    "onestop.portal",
    "onestop.workbench",
    "onestop.policy",
    "onestop.catalogue",
    "onestop.cases",
    "onestop.payments",
    "onestop.delivery",
    "onestop.messaging",
    "onestop.certificates",
    "onestop.seals",
    "onestop.desk",
    "onestop.ratings",
    "onestop.verification",
    "onestop.insights",
    "onestop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onestop.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "onestop.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "onestop.core.middleware.RequestContextMiddleware",
    # AxesMiddleware should be the last middleware.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onestop.config.urls"
WSGI_APPLICATION = "onestop.config.wsgi.application"
ASGI_APPLICATION = "onestop.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onestop.portal.context_processors.site",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
_default_sqlite = f"sqlite:///{VAR_DIR / 'onestop.sqlite3'}"
DATABASE_URL = env("ONESTOP_DATABASE_URL", _default_sqlite) or _default_sqlite
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL journal, a busy timeout and BEGIN IMMEDIATE so concurrent writers queue rather than fail.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and background jobs --------------------------------------------------------------
REDIS_URL = env("ONESTOP_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "onestop",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("ONESTOP_CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("ONESTOP_CELERY_RESULT_BACKEND", REDIS_URL)
# With no broker configured, tasks run in-process (eagerly) so the embedded demo needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# --- authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
STAFF_LOGIN_URL = "accounts:staff-login"

# django-axes: lock an account (username) after repeated failures, for a configurable time.
AXES_FAILURE_LIMIT = env_int("ONESTOP_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("ONESTOP_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# Lock by account, not by IP: a police station or an enterprise shares one NAT address, and an
# IP lock would shut out every officer behind it. Rate limiting per IP belongs to the proxy.
# models.W040: the reminder sweep's covering index (messaging.RegisterDocument) INCLUDEs columns,
# which SQLite (demo, tests) ignores; it matters on PostgreSQL only, where it is created.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_IPWARE_PROXY_COUNT = env_int("ONESTOP_PROXY_COUNT", 0) or None

# Staff sessions end after this many idle minutes; public sessions after the second figure.
STAFF_IDLE_TIMEOUT_MINUTES = env_int("ONESTOP_STAFF_IDLE_MINUTES", 30)
PUBLIC_IDLE_TIMEOUT_MINUTES = env_int("ONESTOP_PUBLIC_IDLE_MINUTES", 120)
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = "onestop"

# --- personal data protection ---------------------------------------------------------------
# ONESTOP_PII_KEYS: comma-separated base64 AES-256 keys, "id:key"; the first encrypts,
# all decrypt (rotation). ONESTOP_PII_HASH_KEY keys the lookup hash.
PII_KEYS = secret_from_file_or_generate(
    "ONESTOP_PII_KEYS",
    "pii_keys.txt",
    production=PRODUCTION,
    generate=lambda: "k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
)
PII_HASH_KEY = secret_from_file_or_generate(
    "ONESTOP_PII_HASH_KEY", "pii_hash_key.txt", production=PRODUCTION
)

# --- working days ---
# Seconds between checks whether another process changed the working-day calendar.
ONESTOP_CALENDAR_RECHECK_SECONDS = env_int("ONESTOP_CALENDAR_RECHECK_SECONDS", 10)

# --- cases ---
# Deadline warnings (onestop.cases.deadlines): yellow when at most this share of the promised
# time, or at most this many working days, is left; red when overdue.
ONESTOP_CASE_WARNING_YELLOW_RATIO = env("ONESTOP_CASE_WARNING_YELLOW_RATIO", "0.2")
ONESTOP_CASE_WARNING_YELLOW_WORKING_DAYS = env("ONESTOP_CASE_WARNING_YELLOW_WORKING_DAYS", "1")

# --- uploads ---
# Largest accepted application material, in bytes (type and dimensions are checked by content).
ONESTOP_UPLOAD_MAX_BYTES = env_int("ONESTOP_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

# --- audit ----------------------------------------------------------------------------------
# Days to keep audit events; the Cybersecurity Law (art. 21) requires at least six months.
AUDIT_RETENTION_DAYS = max(env_int("ONESTOP_AUDIT_RETENTION_DAYS", 365), 183)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
# Each app keeps its catalogue in <app>/locale/; strings of config/ (settings) live here.
LOCALE_PATHS = [BASE_DIR / "src" / "onestop" / "config" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "onestop.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "onestop API",
    "DESCRIPTION": "公安政务服务一体化平台 — public and staff JSON API.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choices shared by several fields get one stable enum name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "onestop.accounts.choices.UnitKind",
        "UserKindEnum": "onestop.accounts.choices.UserKind",
        "LimitUnitEnum": "onestop.catalogue.choices.LimitUnit",
        "MeasureStatusEnum": "onestop.policy.choices.MeasureStatus",
        "TicketKindEnum": "onestop.desk.choices.TicketKind",
        "TicketStateEnum": "onestop.desk.choices.TicketState",
        "TicketSourceEnum": "onestop.desk.choices.TicketSource",
        "LiaisonLevelEnum": "onestop.desk.choices.LiaisonLevel",
        "PoliceTypeEnum": "onestop.desk.choices.PoliceType",
        "ComplaintReasonEnum": "onestop.desk.choices.ComplaintReason",
        "RatingLevelEnum": "onestop.ratings.choices.Level",
        "CaseStateEnum": "onestop.cases.choices.CaseState",
        "LevelEnum": "onestop.catalogue.choices.Level",
    },
}

# --- modules --------------------------------------------------------------------------------
# Each module reads its own options with defaults in its code (see docs/<module>.md); only
# what a deployment usually changes is listed here.
#: The public address printed in e-certificate QR codes and verification links.
ONESTOP_PUBLIC_URL = env("ONESTOP_PUBLIC_URL", "http://127.0.0.1:8000")
ONESTOP_CERTIFICATES = {"VERIFY_BASE_URL": ONESTOP_PUBLIC_URL}

#: The cloud SMS gateway (``ONESTOP_SMS_PROVIDER=aliyun``) and the delivery-receipt secret.
ONESTOP_MESSAGING = {
    "SMS_GATEWAY": {
        "ENDPOINT": env("ONESTOP_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
        "ACCESS_KEY_ID": env("ONESTOP_SMS_ACCESS_KEY_ID", ""),
        "ACCESS_KEY_SECRET": env("ONESTOP_SMS_ACCESS_KEY_SECRET", ""),
        "SIGN_NAME": env("ONESTOP_SMS_SIGN_NAME", "公安政务服务"),
    },
    "RECEIPT_SECRET": env("ONESTOP_SMS_RECEIPT_SECRET", ""),
}

# --- plugins --------------------------------------------------------------------------------
# Which provider each swappable module uses, by registry key; "demo" works with no network.
ONESTOP_PROVIDERS = {
    "sms": env("ONESTOP_SMS_PROVIDER", "demo"),
    "payment": env("ONESTOP_PAYMENT_PROVIDER", "demo"),
    "courier": env("ONESTOP_COURIER_PROVIDER", "demo"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("ONESTOP_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SITE_NAME = _("公安政务服务一体化平台")
os.environ.setdefault("ONESTOP_SITE", "onestop")
