"""Enter a year's holiday notice from a CSV file: ``manage.py calendar_import FILE --year Y``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onestop.core import workdays


class Command(BaseCommand):
    help = (
        "Import a year's statutory holidays and make-up working days (columns "
        "date,is_working_day,name) and mark the year as published. Every row is validated "
        "first; if any row is bad nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file (UTF-8 or GB18030), '-' for stdin")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--source", required=True, help='the notice, e.g. "国办发明电〔2026〕X号"'
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="also remove overrides of that year that the file does not list",
        )
        parser.add_argument("--user", help="username recorded in the audit log as the actor")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if not workdays.FIRST_DAY.year <= year <= workdays.LAST_DAY.year:
            raise CommandError(_("年份必须在 2000 到 2100 之间。"))
        actor = None
        if options["user"]:
            try:
                actor = get_user_model().objects.get_by_natural_key(options["user"])
            except get_user_model().DoesNotExist:
                message = _("用户 %(user)s 不存在。") % {"user": options["user"]}
                raise CommandError(message) from None
        if options["file"] == "-":
            data: bytes | str = sys.stdin.buffer.read()
        else:
            try:
                data = Path(options["file"]).read_bytes()
            except OSError as exc:
                raise CommandError(
                    _("无法读取文件 %(file)s：%(error)s")
                    % {"file": options["file"], "error": exc.strerror}
                ) from None
        try:
            rows = workdays.calendar_csv_parse(data, year=year)
            workdays.calendar_year_import(
                actor=actor,
                year=year,
                source=options["source"],
                rows=rows,
                replace=options["replace"],
            )
        except workdays.CalendarImportError as exc:
            raise CommandError(_("未导入任何数据：") + "\n" + "\n".join(exc.errors)) from None
        except ValidationError as exc:
            raise CommandError(_("未导入任何数据：") + " ".join(exc.messages)) from None
        self.stdout.write(
            _("已导入 %(year)d 年节假日安排，共 %(count)d 天（依据：%(source)s）。")
            % {"year": year, "count": len(rows), "source": options["source"]}
        )
