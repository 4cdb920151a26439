"""onestop — online government-service platform for public-security bureaus."""

from onestop.config.celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
