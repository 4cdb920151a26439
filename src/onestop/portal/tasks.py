"""Diagnostic Celery task: proves that a worker is consuming and which database it sees."""

from __future__ import annotations

import os
import socket
from typing import Any

from celery import shared_task
from django.db import connection


@shared_task(name="onestop.ping")
def ping(*, check_database: bool = False) -> dict[str, Any]:
    """Answer "pong" with the worker's process id and database vendor.

    Harmless and safe to run any number of times. With ``check_database`` it also runs one
    read-only query and reports the database name the worker is connected to.
    """
    reply: dict[str, Any] = {
        "reply": "pong",
        "pid": os.getpid(),
        "hostname": socket.gethostname(),
        "vendor": connection.vendor,
    }
    if check_database:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT current_database()")
            else:
                cursor.execute("SELECT 1")
            row = cursor.fetchone()
            reply["database"] = row[0] if row else None
    return reply
