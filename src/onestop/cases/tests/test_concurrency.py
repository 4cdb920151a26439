"""Case numbers under concurrent submission (real transactions, PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from onestop.accounts.choices import UnitKind
from onestop.accounts.tests.factories import UnitFactory
from onestop.cases import services
from onestop.cases.models import Case

from .factories import item_version, person

THREADS = 8
PER_THREAD = 5


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_numbers() -> None:
    bureau = UnitFactory(code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000")
    version = item_version(unit=bureau)
    applicants = [person(f"申请人{i}") for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        try:
            user = applicants[index].user
            barrier.wait()
            for _ in range(PER_THREAD):
                case = services.case_create(actor=user, item_version=version)
                case = services.case_submit(actor=user, case=case)
                with lock:
                    numbers.append(case.number)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    total = THREADS * PER_THREAD
    assert len(set(numbers)) == total
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, total + 1))
    assert Case.objects.exclude(number="").count() == total
