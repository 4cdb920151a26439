"""Checking rows against the registers, fast enough for 100,000-row files.

A row is normalised (NFKC: full-width digits and ``Ｘ`` become ASCII, lower-case ``x`` upper-case,
spaces removed), validated like ``onestop.core.identity.parse_resident_id`` (same error codes and
messages; the region-code lookup is memoised because it dominates the cost), hashed with the same
keyed hash as ``onestop.core.pii.lookup_hash`` and then looked up in chunks: one query per chunk
and register, comparing hashes only. Register rows are never decrypted.

What comes out per row is an :class:`~onestop.verification.choices.Outcome` and, only for
``invalid``, the reason — nothing from the registers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import identity

from .choices import Outcome, RegisterStatus
from .models import PersonRiskEntry, PopulationRecord, WantedPerson

ID_KIND = "resident_id"
_NUMBERS = (int, float)
NAME_KIND = "person_name"
NAME_MAX_LENGTH = 50

_SPACES = re.compile(r"[\s\-‐-―−]+")
_NAME_SPACES = re.compile(r"\s+")
_NAME_DOTS = re.compile(r"[•・‧∙⋅･.．]")
_CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK_CHARS = "10X98765432"


class Hasher:
    """``pii.lookup_hash`` with the HMAC key schedule computed once (the same digests)."""

    def __init__(self) -> None:
        key = settings.PII_HASH_KEY.encode("utf-8")
        try:  # OpenSSL's HMAC object directly: no Python wrapper per call
            import _hashlib

            self._base: Any = _hashlib.hmac_new(key, digestmod="sha256")
        except (ImportError, AttributeError, ValueError):  # pragma: no cover
            self._base = hmac.new(key, digestmod=hashlib.sha256)

        self._by_kind: dict[str, Any] = {}

    def __call__(self, value: str, *, kind: str) -> str:
        base = self._by_kind.get(kind)
        if base is None:  # the HMAC state after "<kind>:" is reused for every value
            base = self._by_kind[kind] = self._base.copy()
            base.update(f"{kind}:".encode())
        h = base.copy()
        h.update(value.encode())
        return h.hexdigest()


def normalise_name(value: object) -> str:
    """NFKC, no spaces, one kind of middle dot (阿依古丽·买买提)."""
    text = "" if value is None else str(value)
    if text.isalpha() and unicodedata.is_normalized("NFKC", text):
        return text  # the common case: a plain CJK name
    text = unicodedata.normalize("NFKC", text)
    text = _NAME_SPACES.sub("", text)
    return _NAME_DOTS.sub("·", text)


_PARTIAL_SUMS: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
_SEGMENTS = ((0, 6), (6, 14), (14, 17))  # region, birth date, order: few distinct values each


def _partial(segment: str, part: int) -> int:
    cache = _PARTIAL_SUMS[part]
    value = cache.get(segment)
    if value is None:
        start = _SEGMENTS[part][0]
        value = sum(int(c) * w for c, w in zip(segment, _CHECK_WEIGHTS[start:], strict=False))
        if len(cache) < 100_000:
            cache[segment] = value
    return value


def check_digit(first17: str) -> str:
    """GB 11643 check character of 17 ASCII digits (weighted sums memoised per segment)."""
    total = _partial(first17[:6], 0) + _partial(first17[6:14], 1) + _partial(first17[14:17], 2)
    return _CHECK_CHARS[total % 11]


@lru_cache(maxsize=8192)
def _region_known(code: str, year: int) -> bool:
    return identity.region_name(code, year=year) is not None


@lru_cache(maxsize=65536)
def _birth_date(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


_PREFIX_OK: dict[str, dt.date] = {}  # region + birth date prefixes known good (memo)


def _prefix_problem(prefix: str, today: dt.date) -> str:
    """Why the region code and birth date (the first 14 digits) are wrong, or ""."""
    birth = _PREFIX_OK.get(prefix)
    if birth is not None and birth <= today:
        return ""
    birth = _birth_date(prefix[6:14])
    if birth is None or birth.year < 1900:
        return _message("ric_birth_date", value=prefix[6:14])
    if birth > today:
        return _message("ric_birth_date_future", value=birth.isoformat())
    if not _region_known(prefix[:6], birth.year):
        return _message("ric_region", value=prefix[:6])
    if len(_PREFIX_OK) < 500_000:
        _PREFIX_OK[prefix] = birth
    return ""


def _message(code: str, **params: Any) -> str:
    message = identity.MESSAGES[code]
    return str(message) % params if params else str(message)


def validate_id_number(raw: object, *, today: dt.date) -> tuple[str, str]:
    """``(normalised number, "")`` or ``("", translated reason)``; never raises."""
    if isinstance(raw, _NUMBERS):  # bool is an int too
        return "", _("身份证号码被保存为数字，可能已丢失位数，请将该列设置为文本格式后重新导出。")
    text = "" if raw is None else str(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if len(text) == 18 and text[:17].isdigit():
        number = text.upper()  # the common case: nothing to strip
    else:
        number = _SPACES.sub("", text).upper()
    if not number:
        return "", _("身份证号码为空。")
    if len(number) != 18:
        return "", _message("ric_length", length=len(number))
    first17 = number[:17]
    last = number[17]
    if not (first17.isascii() and first17.isdigit()) or not (last == "X" or last.isdigit()):
        return "", _message("ric_format")
    problem = _prefix_problem(number[:14], today)
    if problem:
        return "", problem
    if check_digit(first17) != last:
        return "", _message("ric_checksum")
    return number, ""


@dataclass(slots=True)
class Row:
    """One data row of an upload; ``line`` is its row number in the file (header = 1)."""

    line: int
    name_raw: object
    id_raw: object
    name: str = ""
    id_number: str = ""
    id_hash: str = ""
    name_hash: str = ""
    outcome: str = ""
    reason: str = ""
    wanted_id: int | None = None
    name_matched: bool = False


@dataclass
class ChunkResult:
    rows: list[Row]
    wanted_hits: list[Row] = field(default_factory=list)


class Checker:
    """Checks rows chunk by chunk; remembers the ID numbers seen to flag duplicates."""

    def __init__(self, *, track_duplicates: bool = True) -> None:
        self.hasher = Hasher()
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}
        self.track_duplicates = track_duplicates

    def prepare(self, row: Row) -> None:
        name = normalise_name(row.name_raw)
        number, reason = validate_id_number(row.id_raw, today=self.today)
        if not reason:
            if not name:
                reason = _("姓名为空。")
            elif len(name) > NAME_MAX_LENGTH:
                reason = _("姓名过长（最多 %(max)d 个字）。") % {"max": NAME_MAX_LENGTH}
        if not reason and self.track_duplicates:
            first = self.seen.get(number)
            if first is not None:
                reason = _("与第 %(line)d 行的身份证号码重复，已按第 %(line)d 行核查。") % {
                    "line": first
                }
            else:
                self.seen[number] = row.line
        if reason:
            row.outcome, row.reason = Outcome.INVALID, reason
            return
        row.name, row.id_number = name, number
        row.id_hash = self.hasher(number, kind=ID_KIND)
        row.name_hash = self.hasher(name, kind=NAME_KIND)

    def prepare_chunk(self, rows: Sequence[Row]) -> list[str]:
        """Normalise and validate ``rows``; the ID hashes to look up (sorted: index order)."""
        for row in rows:
            self.prepare(row)
        return sorted({row.id_hash for row in rows if not row.outcome})

    def decide(self, rows: Sequence[Row], found: dict[str, Found]) -> ChunkResult:
        result = ChunkResult(rows=list(rows))
        match, mismatch, not_found, police = (
            Outcome.MATCH,
            Outcome.MISMATCH,
            Outcome.NOT_FOUND,
            Outcome.CONTACT_POLICE,
        )
        for row in rows:
            if row.outcome:
                continue
            name_hash, status, wanted_id, flagged = found.get(row.id_hash, _NOTHING)
            if status != RegisterStatus.NORMAL:
                # Cancelled or deceased numbers are no valid identity: answered as not found,
                # so that the answer says nothing about the person's death or emigration.
                row.outcome = not_found
            elif wanted_id is not None or flagged:
                row.outcome = police
            elif name_hash == row.name_hash:
                row.outcome = match
            else:
                row.outcome = mismatch
            if wanted_id is not None:
                row.wanted_id = wanted_id
                row.name_matched = name_hash == row.name_hash
                result.wanted_hits.append(row)
        return result

    def check(self, rows: Sequence[Row]) -> ChunkResult:
        hashes = self.prepare_chunk(rows)
        return self.decide(rows, lookup_all(hashes, today=self.today) if hashes else {})


#: What the registers say about one ID hash: (name hash, status, wanted id, flagged).
Found = tuple[str | None, str | None, int | None, bool]
_NOTHING: Found = (None, None, None, False)

_PG_LOOKUP = """
SELECT h.hash, r.name_hash, r.status,
  (SELECT min(w.id) FROM {wanted} w
    WHERE w.id_number_hash = h.hash AND w.revoked_at IS NULL
      AND (w.valid_from IS NULL OR w.valid_from <= %(today)s)
      AND (w.valid_until IS NULL OR w.valid_until >= %(today)s)),
  EXISTS (SELECT 1 FROM {risk} k
    WHERE k.id_number_hash = h.hash AND k.revoked_at IS NULL
      AND (k.valid_from IS NULL OR k.valid_from <= %(today)s)
      AND (k.valid_until IS NULL OR k.valid_until >= %(today)s))
FROM unnest(%(hashes)s::varchar[]) AS h(hash)
LEFT JOIN {population} r ON r.id_number_hash = h.hash
"""


def lookup_all(
    hashes: Sequence[str], *, today: dt.date, using: str = "default"
) -> dict[str, Found]:
    """One round trip per chunk on PostgreSQL (an index-only join); three ORM queries else."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        sql = _PG_LOOKUP.format(
            wanted=WantedPerson._meta.db_table,
            risk=PersonRiskEntry._meta.db_table,
            population=PopulationRecord._meta.db_table,
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, {"hashes": list(hashes), "today": today})
            return {h: (n, s, w, f) for h, n, s, w, f in cursor.fetchall()}
    register = lookup_register(hashes)
    wanted = lookup_wanted(hashes, today=today)
    flagged = lookup_person_risk(hashes, today=today)
    found: dict[str, Found] = {}
    for h in hashes:
        name_hash, status = register.get(h, (None, None))
        found[h] = (name_hash, status, wanted.get(h), h in flagged)
    return found


def _in_chunks(values: Sequence[str], size: int = 5_000) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def lookup_register(hashes: Sequence[str]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for part in _in_chunks(hashes):
        for id_hash, name_hash, status in PopulationRecord.objects.filter(
            id_number_hash__in=part
        ).values_list("id_number_hash", "name_hash", "status"):
            found[id_hash] = (name_hash, status)
    return found


def lookup_wanted(hashes: Sequence[str], *, today: dt.date) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in _in_chunks(hashes):
        for id_hash, pk in (
            WantedPerson.objects.active(on=today)
            .filter(id_number_hash__in=part)
            .values_list("id_number_hash", "pk")
        ):
            found.setdefault(id_hash, pk)
    return found


def lookup_person_risk(hashes: Sequence[str], *, today: dt.date) -> set[str]:
    found: set[str] = set()
    for part in _in_chunks(hashes):
        found.update(
            PersonRiskEntry.objects.active(on=today)
            .filter(id_number_hash__in=part)
            .values_list("id_number_hash", flat=True)
        )
    return found
