"""Import register documents for expiry reminders from a CSV file.

Columns (header row required): doc_type, number, holder_name, holder_mobile, expires_on
(YYYY-MM-DD), and optionally language. doc_type is one of: id_card, driving_licence,
vehicle_licence, annual_inspection, residence_permit, exit_entry. Rows with errors are
reported by line number and skipped; the others are imported (re-importing is safe: a document
is keyed by type and number, and a changed expiry date restarts its reminders).
"""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from onestop.core.identity import mobile_normalise
from onestop.messaging.choices import DocumentType
from onestop.messaging.reminders import register_document_upsert

REQUIRED = ("doc_type", "number", "holder_name", "holder_mobile", "expires_on")


class Command(BaseCommand):
    help = "Import register documents (CSV) for expiry reminders."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--source", default="import")

    def handle(self, *args: Any, **options: Any) -> None:
        imported = errors = 0
        with open(options["path"], newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"missing columns: {', '.join(missing)}")
            for line, row in enumerate(reader, start=2):
                try:
                    doc_type = row["doc_type"].strip()
                    if doc_type not in DocumentType.values:
                        raise ValueError(f"unknown doc_type {doc_type!r}")
                    mobile = row["holder_mobile"].strip()
                    mobile = mobile_normalise(mobile) if mobile else ""
                    register_document_upsert(
                        doc_type=doc_type,
                        number=row["number"].strip(),
                        holder_name=row["holder_name"].strip(),
                        holder_mobile=mobile,
                        expires_on=date.fromisoformat(row["expires_on"].strip()),
                        language=(row.get("language") or "zh-hans").strip() or "zh-hans",
                        source=options["source"],
                    )
                    imported += 1
                except (ValueError, ValidationError) as exc:
                    errors += 1
                    message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else exc
                    self.stderr.write(f"line {line}: {message}")
        self.stdout.write(f"{imported} imported, {errors} rejected")
