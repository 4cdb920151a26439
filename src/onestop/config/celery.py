"""The Celery app. With ONESTOP_REDIS_URL set, tasks go to Redis; otherwise they run in-process.

Start a worker:  .venv/bin/celery -A onestop worker -B -l info
"""

from celery import Celery

from onestop.config.settings_module import configure

configure()

app = Celery("onestop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _register_periodic_jobs(sender: Celery, **_: object) -> None:
    from onestop.core.jobs import install_beat_schedule

    install_beat_schedule(sender)
