"""Benchmark: the catalogue search index (jieba + BM25F) against a naive ``icontains`` scan.

Run with ``make bench`` (or ``scripts/bench.sh bench/bench_search.py``). It generates its own
corpus: 5,000 synthetic items made from the shipped catalogue (src/onestop/catalogue/data/*.yaml:
every item's name, short name, keywords, category, summary, conditions and materials, spread over
the Tianjin and Guangxi region codes with a district prefix and shuffled keywords), and times

* the index build for the shipped catalogue itself and for the 5,000 items;
* ``SearchIndex.search(q, limit=20)`` over the 5,000 items, for a list of real queries;
* the yardsticks, on the same corpus and queries:
  - what ``Q(name__icontains=q) | Q(short_name__icontains=q) | …`` compiles to on SQLite
    (``LIKE '%q%' ESCAPE '\\'`` over five columns), on an in-memory SQLite table;
  - the same substring test as a Python loop.

It prints the rates, the ratios and how many queries each method answers at all (icontains finds
nothing for 驾驶证到期 or 身份证丢了: the words are not substrings of any item). There is no speed
acceptance — the index does more work per query than a substring test; the numbers are a
yardstick. It exits 1 only if the index answers fewer queries than icontains.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from onestop.catalogue.search import SearchDocument, SearchIndex, get_segmenter  # noqa: E402

DATA_DIR = ROOT / "src" / "onestop" / "catalogue" / "data"

QUERIES = [
    "刻章",
    "居住证",
    "暂住证",
    "外国人住宿",
    "占道施工",
    "驾驶证到期",
    "身份证丢了",
    "网吧",
    "落户 大学生",
    "港澳商务签注",
    "易制毒",
    "保安公司",
    "旅馆",
    "民宿 消防",
    "金库",
    "信用修复",
    "员工身份核验",
    "放射性 运输",
    "选号",
    "年检",
    "体检 驾驶证",
    "消防设计审查",
    "永久居留",
    "集体户",
    "户口迁移",
    "印章查验",
    "案件进度",
    "投诉",
]
FIELDS = ("name", "short_name", "keywords", "summary", "category")

REGIONS = [
    ("120101", "和平区"),
    ("120103", "河西区"),
    ("120104", "南开区"),
    ("120116", "滨海新区"),
    ("450102", "兴宁区"),
    ("450202", "城中区"),
    ("450302", "秀峰区"),
    ("450403", "万秀区"),
    ("450502", "海城区"),
    ("450602", "港口区"),
    ("450702", "钦南区"),
    ("450802", "港北区"),
]


def shipped_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            items.extend((yaml.safe_load(fh) or {}).get("items") or [])
    return items


def to_document(
    i: int, raw: dict[str, Any], region: str, prefix: str, rng: random.Random | None
) -> SearchDocument:
    keywords = [str(k) for k in raw.get("keywords") or []]
    if rng is not None:
        rng.shuffle(keywords)
    materials = " ".join(str(m.get("name", "")) for m in raw.get("materials") or [])
    return SearchDocument(
        version_id=i,
        item_id=i,
        code=str(raw.get("code", "")),
        region_code=region,
        level=str(raw.get("level", "")),
        name=prefix + str(raw.get("name", "")),
        short_name=str(raw.get("short_name", "")),
        keywords=" ".join(keywords),
        category=str(raw.get("category", "")),
        summary=str(raw.get("summary", "")),
        result_name=str((raw.get("result") or {}).get("name", "")),
        materials=materials,
        conditions=str(raw.get("conditions", "")),
        legal_basis=str(raw.get("legal_basis", "")),
    )


def synthetic(items: list[dict[str, Any]], count: int, seed: int) -> list[SearchDocument]:
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        raw = items[i % len(items)]
        region, district = rng.choice(REGIONS)
        docs.append(to_document(i + 1, raw, region, f"{district}", rng))
    return docs


def timed(label: str, calls: int, run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    rate = calls / elapsed
    print(f"  {label:<52} {calls:>7,} calls {elapsed:8.3f} s {rate:>11,.0f} /s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=5_000, help="synthetic items (default 5000)")
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query list")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    print(
        f"bench_search  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        f"  python {platform.python_version()}  nproc {os.cpu_count()}"
    )
    items = shipped_items()
    if not items:
        print("FAIL: no shipped catalogue in src/onestop/catalogue/data/", file=sys.stderr)
        return 1

    start = time.perf_counter()
    get_segmenter().words("预热")  # jieba loads its dictionary once per process
    print(
        f"  {'jieba dictionary load (once per process)':<52} {time.perf_counter() - start:24.3f} s"
    )

    shipped_docs = [to_document(i + 1, raw, "120000", "", None) for i, raw in enumerate(items)]
    start = time.perf_counter()
    SearchIndex(shipped_docs)
    print(
        f"  {f'index build, shipped catalogue ({len(items)} items)':<52}"
        f" {time.perf_counter() - start:24.3f} s"
    )

    docs = synthetic(items, args.items, args.seed)
    start = time.perf_counter()
    index = SearchIndex(docs)
    elapsed = time.perf_counter() - start
    print(f"  {f'index build, {len(docs):,} synthetic items':<52} {elapsed:24.3f} s")

    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE item (id INTEGER PRIMARY KEY, {', '.join(FIELDS)})")
    db.executemany(
        f"INSERT INTO item VALUES (?, {', '.join('?' for _ in FIELDS)})",  # noqa: S608
        [(d.version_id, *(getattr(d, f) for f in FIELDS)) for d in docs],
    )
    where = " OR ".join(f"{f} LIKE ? ESCAPE '\\'" for f in FIELDS)
    sql = f"SELECT id FROM item WHERE {where} LIMIT 20"  # noqa: S608 (fixed column names)

    def icontains_sql(q: str) -> list[int]:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return [row[0] for row in db.execute(sql, [pattern] * len(FIELDS))]

    lowered = [tuple(getattr(d, f).lower() for f in FIELDS) for d in docs]

    def icontains_py(q: str) -> list[int]:
        q = q.lower()
        out = []
        for d, fields in zip(docs, lowered, strict=True):
            if any(q in f for f in fields):
                out.append(d.version_id)
                if len(out) == 20:
                    break
        return out

    calls = len(QUERIES) * args.rounds
    bm25 = timed(
        "SearchIndex.search(q, limit=20)",
        calls,
        lambda: [index.search(q) for _ in range(args.rounds) for q in QUERIES],
    )
    sql_rate = timed(
        "SQLite LIKE '%q%' over 5 columns (icontains)",
        calls,
        lambda: [icontains_sql(q) for _ in range(args.rounds) for q in QUERIES],
    )
    py_rate = timed(
        "Python substring scan (icontains)",
        calls,
        lambda: [icontains_py(q) for _ in range(args.rounds) for q in QUERIES],
    )
    print(
        f"  ratio index / SQLite icontains: {bm25 / sql_rate:.2f}×"
        f"   index / Python scan: {bm25 / py_rate:.2f}×"
    )

    answered = {
        "index": sum(1 for q in QUERIES if index.search(q, limit=1)),
        "icontains": sum(1 for q in QUERIES if icontains_sql(q)),
    }
    missed = [q for q in QUERIES if not icontains_sql(q)]
    print(
        f"  queries answered of {len(QUERIES)}: index {answered['index']},"
        f" icontains {answered['icontains']} (icontains finds nothing for: {' '.join(missed)})"
    )
    if answered["index"] < answered["icontains"]:
        print("FAIL: the index answers fewer queries than a substring scan", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
