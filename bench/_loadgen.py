"""HTTP load generator for bench_submit.py, run as a separate process (stdlib only).

Reads a JSON job on stdin and writes a JSON result on stdout. Each request is one submission:
``POST /api/v1/cases/`` with ``{"item_id": …, "form_data": …, "submit": true}`` and a fresh
``Idempotency-Key``, authenticated with an applicant's session cookie and CSRF token, as a
browser behind the TLS-terminating proxy would send it (``X-Forwarded-Proto: https``, same
``Origin``). One connection per request (gunicorn's sync workers close it after each response).

``"method": "GET"`` sends ``GET path`` instead (no body, no key): bench_submit.py's floors.

Modes:

* ``closed``: ``concurrency`` clients, each sending its next request as soon as the previous one
  is answered, until ``max_requests`` are sent or ``duration`` seconds have passed (throughput);
* ``open``: requests sent at a fixed ``rate`` per second for ``duration`` seconds, whatever the
  answers (latency at a given load); each latency is measured from the request's scheduled
  instant, so queueing in the client counts (no coordinated omission).
"""

from __future__ import annotations

import http.client
import itertools
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class Job:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.host: str = spec["host"]
        self.port: int = spec["port"]
        self.path: str = spec["path"]
        # "POST" (a submission, the default) or "GET" of ``path`` (the floors: no body, no key)
        self.method: str = spec.get("method", "POST")
        self.applicants: list[dict[str, Any]] = spec["applicants"]
        self.run_id: str = spec["run_id"]
        self.timeout: float = spec.get("timeout", 10.0)
        self.counter = itertools.count()
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.errors: list[str] = []
        self.numbers: list[str] = []

    def request(self, scheduled: float | None = None) -> None:
        n = next(self.counter)
        applicant = self.applicants[n % len(self.applicants)]
        body = json.dumps(
            {"item_id": applicant["item_id"], "form_data": applicant["form"], "submit": True},
            ensure_ascii=False,
        ).encode()
        if self.method == "GET":
            body = b""
        origin = f"https://{self.host}:{self.port}"
        headers = {
            "Host": f"{self.host}:{self.port}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Language": "zh-hans",
            "Cookie": f"sessionid={applicant['session']}; csrftoken={applicant['csrf']}",
            "X-CSRFToken": applicant["csrf"],
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + "/",
            "Idempotency-Key": f"{self.run_id}-{n}",
            "Connection": "close",
        }
        if self.method == "GET":
            for header in ("Content-Type", "X-CSRFToken", "Idempotency-Key"):
                del headers[header]
        start = time.perf_counter() if scheduled is None else scheduled
        status = "error"
        if scheduled is not None and time.perf_counter() - scheduled > self.timeout:
            # Far behind schedule (the server cannot keep up): count it, do not send it, so
            # that an overload ends within the run's time instead of queueing for minutes.
            with self.lock:
                self.statuses["late"] = self.statuses.get("late", 0) + 1
            return
        number = ""
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                conn.request(self.method, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = str(response.status)
                if response.status in (200, 201) and self.method == "POST":
                    number = json.loads(payload).get("number", "")
                elif len(self.errors) < 5:
                    self.errors.append(f"{status}: {payload[:300]!r}")
            finally:
                conn.close()
        except OSError as exc:
            if len(self.errors) < 5:
                self.errors.append(repr(exc))
        elapsed = time.perf_counter() - start
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status in ("200", "201"):
                self.latencies.append(elapsed)
                self.numbers.append(number)

    def result(self, elapsed: float) -> dict[str, Any]:
        return {
            "elapsed": elapsed,
            "statuses": self.statuses,
            "latencies": self.latencies,
            "errors": self.errors,
            "numbers": self.numbers,
        }


def run_closed(job: Job, concurrency: int, duration: float, max_requests: int) -> dict[str, Any]:
    sent = itertools.count()
    start = time.perf_counter()
    deadline = start + duration

    def client() -> None:
        while time.perf_counter() < deadline and next(sent) < max_requests:
            job.request()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return job.result(time.perf_counter() - start)


def run_open(job: Job, rate: float, duration: float, max_inflight: int) -> dict[str, Any]:
    count = max(1, int(rate * duration))
    start = time.perf_counter() + 0.05
    with ThreadPoolExecutor(max_workers=max_inflight) as pool:
        for i in range(count):
            at = start + i / rate
            delay = at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(job.request, at)
    return job.result(time.perf_counter() - start)


def main() -> int:
    spec = json.load(sys.stdin)
    job = Job(spec)
    if spec["mode"] == "closed":
        result = run_closed(job, spec["concurrency"], spec["duration"], spec["max_requests"])
    else:
        result = run_open(job, spec["rate"], spec["duration"], spec.get("max_inflight", 256))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
