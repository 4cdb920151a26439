"""Summarise a pytest JUnit XML file, and check that the service-backed tests really ran.

    python scripts/junit_summary.py var/test-results/postgres.xml
    python scripts/junit_summary.py var/test-results/postgres.xml --require redis browser

The markers of each test come from the ``<property name="markers">`` that tests/conftest.py
records. With ``--require``, exits 1 unless the file holds tests and, for every named marker, at
least one test with it passed and none of them was skipped, failed or errored.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path


def outcome(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return {"failure": "failed", "error": "error", "skipped": "skipped"}[tag]
    return "passed"


def markers(case: ET.Element) -> set[str]:
    found: set[str] = set()
    for prop in case.iter("property"):
        if prop.get("name") == "markers":
            found.update(filter(None, (prop.get("value") or "").split(",")))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("xml", type=Path)
    parser.add_argument("--require", nargs="*", default=[], metavar="MARKER")
    parser.add_argument("--label", default=None)
    args = parser.parse_args(argv)
    label = args.label or args.xml.stem

    if not args.xml.is_file():
        print(f"!!! {label}: {args.xml} does not exist: that run did not happen")
        return 1
    # The file is pytest's own output from this checkout, not untrusted input.
    cases = list(ET.parse(args.xml).getroot().iter("testcase"))  # noqa: S314
    totals = Counter(outcome(case) for case in cases)
    print(
        f"{label}: {len(cases)} tests — {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['error']} errors, {totals['skipped']} skipped"
    )
    status = 0
    if args.require and not cases:
        print(f"!!! {label}: no tests at all")
        status = 1
    for marker in ("redis", "browser", "postgres_only"):
        marked = [c for c in cases if marker in markers(c)]
        if not marked and marker not in args.require:
            continue
        by_outcome = Counter(outcome(c) for c in marked)
        summary = ", ".join(f"{n} {o}" for o, n in sorted(by_outcome.items())) or "none"
        print(f"  {marker}-marked tests: {summary}")
        for case in marked:
            name = f"{case.get('classname')}::{case.get('name')}"
            print(f"    {outcome(case).upper():8} {name}")
        if marker in args.require:
            bad = [
                c
                for c in marked
                if outcome(c) != "passed"
                # On SQLite, PostgreSQL-only tests are meant to be skipped.
                and not (
                    outcome(c) == "skipped"
                    and "postgres_only" in markers(c)
                    and "postgres_only" not in args.require
                )
            ]
            if not marked or bad:
                what = ", ".join(sorted({outcome(c) for c in bad})) or "none ran"
                print(f"!!! {label}: the {marker}-marked tests did not all run and pass ({what})")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
