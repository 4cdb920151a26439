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
from typing import Any, NamedTuple

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
        h = self.keyed(kind).copy()  # the state after "<kind>:" is reused for every value
        h.update(value.encode())
        return h.hexdigest()

    def keyed(self, kind: str) -> Any:
        """The HMAC state after ``"<kind>:"``: ``copy()`` it, ``update`` the value, digest."""
        base = self._by_kind.get(kind)
        if base is None:
            base = self._by_kind[kind] = self._base.copy()
            base.update(f"{kind}:".encode())
        return base


def normalise_name(value: object) -> str:
    """NFKC, no spaces, one kind of middle dot (阿依古丽·买买提)."""
    text = "" if value is None else str(value)
    if text.isalpha() and unicodedata.is_normalized("NFKC", text):
        return text  # the common case: a plain CJK name
    text = unicodedata.normalize("NFKC", text)
    text = _NAME_SPACES.sub("", text)
    return _NAME_DOTS.sub("·", text)


_WEIGHTS_REGION = _CHECK_WEIGHTS[0:6]
_WEIGHTS_BIRTH = _CHECK_WEIGHTS[6:14]
_WEIGHTS_ORDER = _CHECK_WEIGHTS[14:17]


def _weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True))


#: Weighted sums of the order segment (digits 15–17): only 1,000 values, computed up front.
_ORDER_SUMS: dict[str, int] = {
    f"{n:03d}": _weighted(f"{n:03d}", _WEIGHTS_ORDER) for n in range(1000)
}
_MEMO_LIMIT = 200_000
#: Region code → (weighted sum, last year the code was in use; -1 for an unknown code).
_REGIONS: dict[str, tuple[int, int]] = {}
_IN_USE = 9999


def _region(code: str) -> tuple[int, int]:
    """``identity.region_name(code, year=y) is not None`` exactly when ``y <=`` the second
    value: a code is known for a birth year unless it was abolished before that year."""
    value = _REGIONS.get(code)
    if value is None:
        last = -1
        province, entries = identity._region_entries(code)  # what region_name reads
        if province and entries:
            ends = [end for _start, end, _name in entries]
            last = _IN_USE if None in ends else max(e for e in ends if e is not None)
        value = (_weighted(code, _WEIGHTS_REGION), last)
        if len(_REGIONS) < _MEMO_LIMIT:
            _REGIONS[code] = value
    return value


#: Birth date (digits 7–14) → (date, weighted sum), or None when it is no date after 1899.
_BIRTH_SUMS: dict[str, tuple[dt.date, int] | None] = {}


def _birth_sum(digits: str) -> tuple[dt.date, int] | None:
    if digits in _BIRTH_SUMS:
        return _BIRTH_SUMS[digits]
    try:
        birth: dt.date | None = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        birth = None
    value = (birth, _weighted(digits, _WEIGHTS_BIRTH)) if birth and birth.year >= 1900 else None
    if len(_BIRTH_SUMS) < _MEMO_LIMIT:
        _BIRTH_SUMS[digits] = value
    return value


def check_digit(first17: str) -> str:
    """GB 11643 check character of 17 ASCII digits."""
    return _CHECK_CHARS[_weighted(first17, _CHECK_WEIGHTS) % 11]


def _message(code: str, **params: Any) -> str:
    message = identity.MESSAGES[code]
    return str(message) % params if params else str(message)


def _digits_problem(number: str, today: dt.date) -> str:
    """Why 17 ASCII digits + check character are no valid number, or "" (memoised segments:
    the region per birth year, the birth date, the order number)."""
    birth = _birth_sum(number[6:14])
    if birth is None:
        return _message("ric_birth_date", value=number[6:14])
    if birth[0] > today:
        return _message("ric_birth_date_future", value=birth[0].isoformat())
    region, last_year = _region(number[:6])
    if birth[0].year > last_year:
        return _message("ric_region", value=number[:6])
    if _CHECK_CHARS[(region + birth[1] + _ORDER_SUMS[number[14:17]]) % 11] != number[17]:
        return _message("ric_checksum")
    return ""


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
    problem = _digits_problem(number, today)
    return ("", problem) if problem else (number, "")


class WantedHit(NamedTuple):
    """A wanted person was queried: the row (for the alert), never shown to the enterprise."""

    line: int
    wanted_id: int
    name_matched: bool


@dataclass(slots=True)
class Chunk:
    """Rows of an upload as parallel lists (no object per row); ``lines`` are row numbers in
    the file (header = 1). ``prepare`` fills ``names``, ``numbers``, ``outcomes`` (``""`` until
    decided) and ``reasons``, and lists the rows to look up (``pending``, in ID-hash order, with
    their two hashes); ``decide`` fills in the rest."""

    lines: list[int]
    names_raw: list[Any]
    ids_raw: list[Any]
    names: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    id_hashes: list[str] = field(default_factory=list)
    name_hashes: list[str] = field(default_factory=list)
    wanted_hits: list[WantedHit] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines)

    def head(self, count: int) -> Chunk:
        """The first ``count`` rows (not yet prepared)."""
        return Chunk(self.lines[:count], self.names_raw[:count], self.ids_raw[:count])


class Checker:
    """Checks rows chunk by chunk; remembers the ID numbers seen to flag duplicates."""

    def __init__(self, *, track_duplicates: bool = True) -> None:
        self.hasher = Hasher()
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}
        self.track_duplicates = track_duplicates
        self._name_empty = _("姓名为空。")
        self._name_long = _("姓名过长（最多 %(max)d 个字）。") % {"max": NAME_MAX_LENGTH}

    def prepare(self, chunk: Chunk) -> None:
        """Normalise and validate; hash the valid rows (ID and name) for the lookup."""
        today, seen, track = self.today, self.seen, self.track_duplicates
        id_base = self.hasher.keyed(ID_KIND).copy
        name_base = self.hasher.keyed(NAME_KIND).copy
        births, regions, orders, checks = _BIRTH_SUMS, _REGIONS, _ORDER_SUMS, _CHECK_CHARS
        is_normalized = unicodedata.is_normalized
        invalid = Outcome.INVALID
        names: list[str] = []
        numbers: list[str] = []
        outcomes: list[str] = []
        reasons: list[str] = []
        valid: list[int] = []
        id_hashes: list[str] = []
        name_hashes: list[str] = []
        for i, (line, name_raw, id_raw) in enumerate(
            zip(chunk.lines, chunk.names_raw, chunk.ids_raw, strict=True)
        ):
            # The common cases inline (same results as normalise_name and validate_id_number,
            # which handle everything else): a plain name; 18 ASCII characters whose region,
            # birth date and check character the memos already vouch for.
            if type(name_raw) is str and name_raw.isalpha() and is_normalized("NFKC", name_raw):
                name = name_raw
            else:
                name = normalise_name(name_raw)
            reason = ""
            if (
                type(id_raw) is str
                and len(id_raw) == 18
                and id_raw.isascii()
                and id_raw[:17].isdigit()
                and (birth := births.get(id_raw[6:14])) is not None
                and (region := regions.get(id_raw[:6])) is not None
                and birth[0] <= today
                and birth[0].year <= region[1]
                and checks[(region[0] + birth[1] + orders[id_raw[14:17]]) % 11]
                == id_raw[17].upper()
            ):
                number = id_raw.upper()
            else:
                number, reason = validate_id_number(id_raw, today=today)
            if not reason:
                if not name:
                    reason = self._name_empty
                elif len(name) > NAME_MAX_LENGTH:
                    reason = self._name_long
                elif track:
                    first = seen.get(number)
                    if first is None:
                        seen[number] = line
                    else:
                        reason = _("与第 %(line)d 行的身份证号码重复，已按第 %(line)d 行核查。") % {
                            "line": first
                        }
            names.append(name)
            numbers.append(number)
            if reason:
                outcomes.append(invalid)
                reasons.append(reason)
                continue
            outcomes.append("")
            reasons.append("")
            valid.append(i)
            digest = id_base()
            digest.update(number.encode())
            id_hashes.append(digest.hexdigest())
            digest = name_base()
            digest.update(name.encode())
            name_hashes.append(digest.hexdigest())
        order = sorted(range(len(valid)), key=id_hashes.__getitem__)  # index order
        chunk.names, chunk.numbers, chunk.outcomes, chunk.reasons = (
            names,
            numbers,
            outcomes,
            reasons,
        )
        chunk.pending = [valid[k] for k in order]
        chunk.id_hashes = [id_hashes[k] for k in order]
        chunk.name_hashes = [name_hashes[k] for k in order]

    def decide(self, chunk: Chunk, found: Sequence[Found]) -> None:
        """The outcome of each pending row from what the registers say (``found``, aligned
        with ``chunk.pending``)."""
        normal = RegisterStatus.NORMAL
        match, mismatch, not_found, police = (
            Outcome.MATCH,
            Outcome.MISMATCH,
            Outcome.NOT_FOUND,
            Outcome.CONTACT_POLICE,
        )
        outcomes, lines, hits = chunk.outcomes, chunk.lines, chunk.wanted_hits
        for i, (status, same, wanted_id, flagged) in zip(chunk.pending, found, strict=True):
            if status != normal:
                # Cancelled or deceased numbers are no valid identity: answered as not found,
                # so that the answer says nothing about the person's death or emigration.
                outcomes[i] = not_found
            elif wanted_id is not None or flagged:
                outcomes[i] = police
            elif same:
                outcomes[i] = match
            else:
                outcomes[i] = mismatch
            if wanted_id is not None:
                hits.append(WantedHit(lines[i], wanted_id, bool(same)))

    def check(self, chunk: Chunk) -> Chunk:
        """Prepare, look up and decide one chunk (inline)."""
        self.prepare(chunk)
        self.decide(chunk, lookup_pairs(chunk.id_hashes, chunk.name_hashes, today=self.today))
        return chunk


#: What the registers say about one (ID hash, name hash) pair: (status, whether the name hash
#: is the registered one, wanted id, flagged). ``status`` is None for a number not registered.
Found = tuple[str | None, bool, int | None, bool]
_NOTHING: Found = (None, False, None, False)

# The pairs arrive in ID-hash order (the index's order); the names are compared in the database,
# so nothing of the register leaves it but a status and a yes/no. The lists of wanted and flagged
# people are read once per statement (hashed), not probed per row.
_PG_LOOKUP = """
SELECT p.n, r.status, coalesce(r.name_hash = p.name_hash, false), w.id,
  EXISTS (SELECT 1 FROM {risk} k
    WHERE k.id_number_hash = p.id_hash AND k.revoked_at IS NULL
      AND (k.valid_from IS NULL OR k.valid_from <= %(today)s)
      AND (k.valid_until IS NULL OR k.valid_until >= %(today)s))
FROM unnest(%(ids)s::varchar[], %(names)s::varchar[]) WITH ORDINALITY AS p(id_hash, name_hash, n)
LEFT JOIN {population} r ON r.id_number_hash = p.id_hash
LEFT JOIN (
  SELECT w.id_number_hash, min(w.id) AS id FROM {wanted} w
  WHERE w.revoked_at IS NULL
    AND (w.valid_from IS NULL OR w.valid_from <= %(today)s)
    AND (w.valid_until IS NULL OR w.valid_until >= %(today)s)
  GROUP BY w.id_number_hash
) w ON w.id_number_hash = p.id_hash
"""


def lookup_pairs(
    id_hashes: Sequence[str], name_hashes: Sequence[str], *, today: dt.date, using: str = "default"
) -> list[Found]:
    """What the registers say about each pair, in the given order: one round trip on PostgreSQL
    (an index-only join), three ORM queries on other databases."""
    from django.db import connections, transaction

    if not id_hashes:
        return []
    connection = connections[using]
    if connection.vendor == "postgresql":
        sql = _PG_LOOKUP.format(
            wanted=WantedPerson._meta.db_table,
            risk=PersonRiskEntry._meta.db_table,
            population=PopulationRecord._meta.db_table,
        )
        found: list[Found] = [_NOTHING] * len(id_hashes)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            # A chunk's plan costs just over the JIT threshold; compiling it would take longer
            # than running it (~50 ms of 170 ms).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                sql, {"ids": list(id_hashes), "names": list(name_hashes), "today": today}
            )
            for n, status, same, wanted_id, flagged in cursor.fetchall():
                found[n - 1] = (status, same, wanted_id, flagged)
        return found
    register = lookup_register(id_hashes)
    wanted = lookup_wanted(id_hashes, today=today)
    risky = lookup_person_risk(id_hashes, today=today)
    result: list[Found] = []
    for id_hash, name_hash in zip(id_hashes, name_hashes, strict=True):
        registered_name, status = register.get(id_hash, (None, None))
        result.append((status, registered_name == name_hash, wanted.get(id_hash), id_hash in risky))
    return result


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
