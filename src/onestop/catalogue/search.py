"""Chinese search over the published service catalogue.

People type colloquial words (刻章, 驾照到期, 身份证丢了), not item names (新设立企业公章刻制,
机动车驾驶证期满换证, 居民身份证补领). The engine therefore

- segments text with jieba (its dictionary ships inside the package; no network), after adding
  the catalogue's own short names and keywords and every synonym as dictionary words so that
  公章刻制, 居住证, 驾驶证 stay whole; documents are cut in jieba's search mode (a long word also
  yields its 2- and 3-character sub-words) and every run of Chinese characters is also indexed as
  character bigrams, so a partial word still matches, with a low weight;
- expands each typed word with its synonyms (search_data/synonyms.yaml), weighted below the typed
  word; a typed compound that is whole only because a catalogue keyword made it a word (驾照补办)
  is split back into its pieces so that each piece finds its synonyms;
- ranks with BM25F: per-field term frequencies are length-normalised, weighted (name ≫
  short name / keywords > category > summary > materials / conditions / legal basis) and summed
  before BM25 saturation;
- scores each typed word as one *concept*: the best of the word, its sub-words, its synonyms and
  its bigrams (plus a small share of the others, like Lucene's dis_max), and multiplies the sum
  by the share of typed words the item matched, so an item matching every word ranks above one
  matching a single word many times.

The index lives in process memory, built from the current published versions and rebuilt when
the catalogue changes (count and latest ``published_at`` of the current versions, checked with
one aggregate query per search). See docs/adr/0002-catalogue-search.md.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
import threading
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
import yaml

SYNONYMS_FILE = Path(__file__).resolve().parent / "search_data" / "synonyms.yaml"

#: Field weights of BM25F. The name dominates; a hit only in the legal basis counts little.
FIELD_WEIGHTS: dict[str, float] = {
    "name": 10.0,
    "short_name": 6.0,
    "keywords": 5.0,
    "category": 3.0,
    "result_name": 2.0,
    "summary": 1.5,
    "unit_name": 1.0,
    "materials": 0.6,
    "conditions": 0.6,
    "legal_basis": 0.3,
}
#: Length normalisation per field (0 = none, 1 = full). Short fields barely need it.
FIELD_B: dict[str, float] = {"name": 0.5, "short_name": 0.3, "keywords": 0.3, "category": 0.0}
DEFAULT_B = 0.75
K1 = 1.2
#: Fields indexed by character bigrams only (law titles: segmenting them buys nothing).
BIGRAM_ONLY_FIELDS = frozenset({"legal_basis"})
#: Fields also indexed by single characters, for one-character queries.
UNIGRAM_FIELDS = frozenset({"name", "short_name", "keywords"})

#: Query term weights relative to a word the user typed.
TYPED_WEIGHT = 1.0
SUBWORD_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.6
BIGRAM_WEIGHT = 0.25
#: Bonus weight when a typed word (or a synonym of it) *is* one of the item's keywords, its short
#: name or its name: the catalogue author listed exactly what the user typed.
EXACT_WEIGHT = 2.5
#: Share of a concept's non-best terms added to its best term (dis_max tie breaker).
TIE_BREAKER = 0.1
#: Score multiplier = COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * matched concepts / concepts.
COVERAGE_FLOOR = 0.3

MAX_QUERY_CHARS = 100
MAX_CONCEPTS = 16

#: Words that carry no meaning in a query ("怎么办理居住证" → 居住证).
_STOPWORDS_TEXT = """
的 了 吗 呢 吧 啊 呀 么 我 我们 你 您 他 她 要 想 想要 需要 怎么 怎样 如何 怎么办 哪里 哪儿
在哪 在哪里 在 去 到 给 把 被 和 与 及 或 或者 是 有 没有 什么 可以 能 能否 是否 请问 一下
办 办理 申请 流程 手续 问题 咨询 关于
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_BIGRAM_PREFIX = "\x00"
_UNIGRAM_PREFIX = "\x01"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_HAS_WORD_CHAR = re.compile(f"[{_CJK}a-z0-9]")
_ASCII_EDGE = re.compile(r"^[^a-z0-9" + _CJK + r"]+|[^a-z0-9" + _CJK + r"]+$")
_KEYWORD_SPLIT = re.compile(r"[\s,，、;；/|]+")

_CUT_CACHE_SIZE = 200_000
_NO_POSTINGS: tuple[array[int], array[float]] = (array("i"), array("d"))


# ---------------------------------------------------------------------------------------------
# documents and hits


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What the index knows of one published item version (plain data, no ORM)."""

    version_id: int
    item_id: int
    name: str
    code: str = ""
    region_code: str = ""
    level: str = ""
    short_name: str = ""
    keywords: str = ""
    category: str = ""
    result_name: str = ""
    summary: str = ""
    unit_name: str = ""
    materials: str = ""
    conditions: str = ""
    legal_basis: str = ""


@dataclass(frozen=True, slots=True)
class SearchHit:
    version_id: int
    item_id: int
    score: float
    #: Query words and synonyms found in the item name, longest first (for <mark> in a page).
    highlights: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# text


def normalize(text: str) -> str:
    """Full-width → half-width, lower case, lone surrogates dropped."""
    text = text.encode("utf-8", "ignore").decode("utf-8")
    return unicodedata.normalize("NFKC", text).lower()


def bigrams(text: str) -> list[str]:
    """Character bigrams of every run of Chinese characters (namespaced apart from words)."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        grams.extend(_BIGRAM_PREFIX + run[i : i + 2] for i in range(len(run) - 1))
    return grams


def unigrams(text: str) -> list[str]:
    """Single Chinese characters (namespaced), for one-character queries such as 刻."""
    return [_UNIGRAM_PREFIX + ch for run in _CJK_RUN.findall(text) for ch in run]


def split_keywords(text: str) -> list[str]:
    return [w for w in _KEYWORD_SPLIT.split(normalize(text)) if w]


class Segmenter:
    """A private jieba tokenizer (the global one is left alone) plus the domain words."""

    def __init__(self) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._added: set[str] = set()
        # search-mode cuts by text; emptied whenever a new word changes how text is cut
        self._cache: dict[str, list[str]] = {}

    def add_words(self, words: Iterable[str]) -> None:
        """Make jieba keep these words whole (Chinese words of 2–12 characters)."""
        with self._lock:
            for raw in words:
                word = normalize(raw).strip()
                if word in self._added or not 2 <= len(word) <= 12:
                    continue
                if not _CJK_RUN.fullmatch(word):
                    continue
                self._added.add(word)
                self._cache = {}
                # suggest_freq(tune=True) raises the frequency just enough for the word to
                # win over its pieces.
                self._tokenizer.suggest_freq(word, tune=True)

    @staticmethod
    def _clean(tokens: Iterable[str]) -> list[str]:
        out = []
        for token in tokens:
            token = _ASCII_EDGE.sub("", token.strip())
            if token and _HAS_WORD_CHAR.search(token):
                out.append(token)
        return out

    def is_added(self, word: str) -> bool:
        """Whether the word is in the dictionary because the catalogue or synonyms added it."""
        return word in self._added

    def words(self, text: str) -> list[str]:
        """Precise cut: the words a person typed."""
        return self._clean(self._tokenizer.cut(normalize(text), HMM=False))

    def search_words(self, text: str) -> list[str]:
        """Search-mode cut: words and their dictionary sub-words (for indexing). Cached, so
        that rebuilding the index after one item changed re-cuts only that item."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._clean(self._tokenizer.cut_for_search(normalize(text), HMM=False))
            if len(self._cache) >= _CUT_CACHE_SIZE:
                self._cache = {}
            self._cache[text] = cached
        return list(cached)

    def subwords(self, word: str) -> list[str]:
        """The dictionary 2- and 3-character pieces of a word (what search mode adds)."""
        return [
            w for w in self._clean(self._tokenizer.cut_for_search(word, HMM=False)) if w != word
        ]


_segmenter: Segmenter | None = None
_segmenter_lock = threading.Lock()


def get_segmenter() -> Segmenter:
    """The process-wide segmenter (jieba loads its dictionary once, ~0.5 s)."""
    global _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            _segmenter = Segmenter()
        return _segmenter


# ---------------------------------------------------------------------------------------------
# synonyms


@dataclass(frozen=True)
class Synonyms:
    expansions: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def terms(self) -> set[str]:
        out = set(self.expansions)
        for targets in self.expansions.values():
            out |= targets
        return out

    def of(self, term: str) -> frozenset[str]:
        return self.expansions.get(term, frozenset())


def parse_synonyms(data: Mapping[str, Any]) -> Synonyms:
    expansions: dict[str, set[str]] = defaultdict(set)
    for group in data.get("groups") or []:
        terms = {normalize(str(t)).strip() for t in group} - {""}
        for term in terms:
            expansions[term] |= terms - {term}
    for source, targets in (data.get("one_way") or {}).items():
        key = normalize(str(source)).strip()
        expansions[key] |= {normalize(str(t)).strip() for t in targets} - {"", key}
    return Synonyms({k: frozenset(v) for k, v in expansions.items() if k})


@lru_cache(maxsize=4)
def load_synonyms(path: Path = SYNONYMS_FILE) -> Synonyms:
    with open(path, encoding="utf-8") as fh:
        return parse_synonyms(yaml.safe_load(fh) or {})


# ---------------------------------------------------------------------------------------------
# the index


@dataclass
class _Concept:
    """One typed word: the terms that count for it and their weights."""

    word: str
    terms: dict[str, float]


def region_matches(item_region: str, wanted: str) -> bool:
    """Whether an item implemented in ``item_region`` serves someone in ``wanted``.

    ``wanted`` is a GB/T 2260 code: a province code (``450000``) matches every item in the
    province, a city code (``450100``) every item of the city, and an exact county code its
    own items. Items of the enclosing city or province bureau serve the smaller area too
    (the autonomous-region department's items are open to someone in Nanning)."""
    if not wanted or not wanted.isdigit() or len(wanted) != 6 or len(item_region) != 6:
        return False
    if wanted.endswith("0000"):
        prefix = wanted[:2]
    elif wanted.endswith("00"):
        prefix = wanted[:4]
    else:
        prefix = wanted
    if item_region.startswith(prefix):
        return True
    # the item's unit is above the wanted area: province (xx0000) or city (xxyy00)
    if item_region.endswith("0000"):
        return wanted.startswith(item_region[:2])
    if item_region.endswith("00"):
        return wanted.startswith(item_region[:4])
    return False


class SearchIndex:
    """An in-memory BM25F index over ``SearchDocument`` rows."""

    def __init__(
        self,
        documents: Sequence[SearchDocument],
        *,
        synonyms: Synonyms | None = None,
        segmenter: Segmenter | None = None,
    ) -> None:
        self.documents = list(documents)
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self.segmenter = segmenter or get_segmenter()
        self._names = [normalize(d.name) for d in self.documents]
        self.synonym_terms = self.synonyms.terms
        # equal scores: basic code, then region, then version — stable across rebuilds
        self._order = [(d.code, d.region_code, d.version_id) for d in self.documents]
        self._add_domain_words()
        # term → (document numbers, scores): compact arrays, 12 bytes a posting
        self._postings: dict[str, tuple[array[int], array[float]]] = {}
        self._exact: dict[str, list[tuple[int, float]]] = {}
        self._build()

    def _add_domain_words(self) -> None:
        words: set[str] = set(self.synonyms.terms)
        for doc in self.documents:
            words.update(split_keywords(doc.keywords))
            words.update(split_keywords(doc.short_name))
            words.update(split_keywords(doc.category))
        self.segmenter.add_words(sorted(words))

    def _field_terms(self, name: str, text: str) -> list[str]:
        norm = normalize(text)
        terms = self.segmenter.search_words(norm) if name not in BIGRAM_ONLY_FIELDS else []
        terms += bigrams(norm)
        if name in UNIGRAM_FIELDS:
            terms += unigrams(norm)
        return terms

    def _build(self) -> None:
        n = len(self.documents)
        # (field, text) → (number of terms, term counts); texts repeat across items (legal
        # bases, materials, the same item in two regions)
        memo: dict[tuple[str, str], tuple[int, list[tuple[str, int]]]] = {}
        field_terms: list[list[tuple[str, int, list[tuple[str, int]]]]] = []
        totals: dict[str, int] = defaultdict(int)
        exact: dict[str, set[int]] = defaultdict(set)
        for idx, doc in enumerate(self.documents):
            per_field = []
            for name in FIELD_WEIGHTS:
                text = getattr(doc, name) or ""
                if not text:
                    continue
                key = (name, text)
                if key not in memo:
                    terms = self._field_terms(name, text)
                    memo[key] = (len(terms), list(Counter(terms).items()))
                length, counts = memo[key]
                per_field.append((name, length, counts))
                totals[name] += length
            field_terms.append(per_field)
            for phrase in [
                *split_keywords(doc.keywords),
                normalize(doc.short_name).strip(),
                normalize(doc.name).strip(),
            ]:
                if phrase:
                    exact[phrase].add(idx)
        avg = {name: (totals[name] / n if n else 0.0) or 1.0 for name in FIELD_WEIGHTS}

        pseudo_tf: dict[str, dict[int, float]] = defaultdict(dict)
        for idx, per_field in enumerate(field_terms):
            for name, length, counts in per_field:
                b = FIELD_B.get(name, DEFAULT_B)
                weight = FIELD_WEIGHTS[name] / (1.0 - b + b * length / avg[name])
                for term, count in counts:
                    docs = pseudo_tf[term]
                    docs[idx] = docs.get(idx, 0.0) + weight * count

        k1 = K1
        for term, docs in pseudo_tf.items():
            df = len(docs)
            scale = math.log(1.0 + (n - df + 0.5) / (df + 0.5)) * (k1 + 1.0)
            self._postings[term] = (
                array("i", docs.keys()),
                array("d", [scale * tf / (tf + k1) for tf in docs.values()]),
            )
        for phrase, members in exact.items():
            idf = math.log(1.0 + (n - len(members) + 0.5) / (len(members) + 0.5))
            self._exact[phrase] = [(idx, idf * EXACT_WEIGHT) for idx in members]

    # -- queries --------------------------------------------------------------------------

    def _pieces(self, word: str) -> list[str]:
        """Split a word that is only whole because the catalogue listed it (a keyword such as
        驾照补办 or 身份证到期) into its dictionary pieces (驾照 + 补办), so that each piece
        finds its own synonyms. Words of the synonym list, and words that do not split into
        pieces of two or more characters (刻章店), stay whole."""
        if not self.segmenter.is_added(word) or word in self.synonym_terms:
            return [word]
        subs = set(self.segmenter.subwords(word))
        n = len(word)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            done = best[i]
            if done is None:
                continue
            for j in range(i + 2, n + 1):
                piece = word[i:j]
                later = best[j]
                if piece in subs and (later is None or len(done) + 1 < len(later)):
                    best[j] = [*done, piece]
        tiling = best[n]
        return tiling if tiling and len(tiling) > 1 else [word]

    def analyse(self, query: str) -> tuple[list[_Concept], list[str]]:
        """Turn a query into concepts — each typed word with its sub-words, synonyms and
        bigrams, weighted — and the phrases to compare with whole keywords."""
        text = normalize(query[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
        concepts: list[_Concept] = []
        phrases: list[str] = []
        seen: set[str] = set()
        for typed in self.segmenter.words(text):
            pieces = self._pieces(typed)
            if len(pieces) > 1:
                phrases.append(typed)
            for word in pieces:
                if word in STOPWORDS or word in seen or len(concepts) >= MAX_CONCEPTS:
                    continue
                seen.add(word)
                terms: dict[str, float] = {}

                def put(term: str, weight: float, terms: dict[str, float] = terms) -> None:
                    if weight > terms.get(term, 0.0):
                        terms[term] = weight

                put(word, TYPED_WEIGHT)
                for sub in self.segmenter.subwords(word):
                    put(sub, SUBWORD_WEIGHT)
                for synonym in self.synonyms.of(word):
                    put(synonym, SYNONYM_WEIGHT)
                for gram in bigrams(word) if len(word) > 1 else unigrams(word):
                    put(gram, BIGRAM_WEIGHT)
                concepts.append(_Concept(word, terms))
        return concepts, phrases

    def search(
        self,
        query: str,
        *,
        region: str | None = None,
        level: str | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        try:
            limit = int(limit)
        except (TypeError, ValueError):
            return []
        if not isinstance(query, str) or limit <= 0 or not self.documents:
            return []
        concepts, phrases = self.analyse(query)
        if not concepts:
            return []
        allowed = self._allowed(region, level)

        totals: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        for concept in concepts:
            best: dict[int, float] = {}
            rest: dict[int, float] = defaultdict(float)
            for term, weight in concept.terms.items():
                ids, values = self._postings.get(term, _NO_POSTINGS)
                for idx, value in zip(ids, values, strict=True):
                    if allowed is not None and idx not in allowed:
                        continue
                    score = weight * value
                    previous = best.get(idx)
                    if previous is None:
                        best[idx] = score
                    elif score > previous:
                        rest[idx] += previous
                        best[idx] = score
                    else:
                        rest[idx] += score
            bonus: dict[int, float] = {}
            for term in (concept.word, *self.synonyms.of(concept.word)):
                weight = TYPED_WEIGHT if term == concept.word else SYNONYM_WEIGHT
                for idx, value in self._exact.get(term, ()):
                    if allowed is None or idx in allowed:
                        bonus[idx] = max(bonus.get(idx, 0.0), weight * value)
            for idx, score in best.items():
                totals[idx] += score + TIE_BREAKER * rest.get(idx, 0.0) + bonus.get(idx, 0.0)
                matched[idx] += 1

        for phrase in phrases:  # a typed compound that is exactly one of the item's keywords
            for idx, value in self._exact.get(phrase, ()):
                if idx in totals:
                    totals[idx] += TYPED_WEIGHT * value

        count = len(concepts)
        scored = [
            (score * (COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * matched[idx] / count), idx)
            for idx, score in totals.items()
        ]
        top = heapq.nsmallest(limit, scored, key=lambda pair: (-pair[0], self._tiebreak(pair[1])))
        return [
            SearchHit(
                version_id=self.documents[idx].version_id,
                item_id=self.documents[idx].item_id,
                score=round(score, 6),
                highlights=self._highlights(idx, concepts),
            )
            for score, idx in top
        ]

    def _tiebreak(self, idx: int) -> tuple[str, str, int]:
        return self._order[idx]

    def _allowed(self, region: str | None, level: str | None) -> set[int] | None:
        if not region and not level:
            return None
        region = str(region or "").strip()
        level = str(level or "").strip()
        return {
            idx
            for idx, doc in enumerate(self.documents)
            if (not region or region_matches(doc.region_code, region))
            and (not level or doc.level == level)
        }

    def _highlights(self, idx: int, concepts: list[_Concept]) -> tuple[str, ...]:
        name = self._names[idx]
        found = {
            term
            for concept in concepts
            for term in concept.terms
            if not term.startswith((_BIGRAM_PREFIX, _UNIGRAM_PREFIX)) and term in name
        }
        # longest first, and drop a term contained in a longer one already listed
        out: list[str] = []
        for term in sorted(found, key=lambda t: (-len(t), t)):
            if not any(term in longer for longer in out):
                out.append(term)
        return tuple(out)


# ---------------------------------------------------------------------------------------------
# the catalogue index (Django)

_cache_lock = threading.Lock()
_cache: tuple[tuple[Any, ...], SearchIndex] | None = None


def catalogue_state() -> tuple[Any, ...]:
    """A cheap fingerprint of the published catalogue: one aggregate query."""
    from django.db import connection
    from django.db.models import Count, Max

    from .models import ServiceItemVersion

    agg = ServiceItemVersion.objects.current().aggregate(
        n=Count("pk"), latest=Max("published_at"), top=Max("pk")
    )
    return (
        connection.alias,
        connection.settings_dict.get("NAME"),
        agg["n"],
        agg["latest"],
        agg["top"],
    )


def catalogue_documents() -> list[SearchDocument]:
    """The current published version of every item, as index documents."""
    from .models import ServiceItemVersion

    versions = (
        ServiceItemVersion.objects.current()
        .select_related("item__implementing_unit")
        .prefetch_related("materials")
        .order_by("pk")
    )
    docs = []
    for v in versions:
        unit = v.item.implementing_unit
        docs.append(
            SearchDocument(
                version_id=v.pk,
                item_id=v.item_id,
                code=v.item.code,
                region_code=unit.region_code,
                level=v.level,
                name=v.name,
                short_name=v.short_name,
                keywords=v.keywords,
                category=v.category,
                result_name=v.result_name,
                summary=v.summary,
                unit_name=unit.name,
                materials=" ".join(m.name for m in v.materials.all()),
                conditions=v.conditions,
                legal_basis=v.legal_basis,
            )
        )
    return docs


def catalogue_index() -> SearchIndex:
    """The index of the published catalogue, rebuilt when the catalogue has changed."""
    global _cache
    state = catalogue_state()
    with _cache_lock:
        if _cache is None or _cache[0] != state:
            _cache = (state, SearchIndex(catalogue_documents()))
        return _cache[1]


def search_index_reset() -> None:
    """Forget the cached index (the next search rebuilds it)."""
    global _cache
    with _cache_lock:
        _cache = None


def search_items(
    query: str,
    *,
    region: str | None = None,
    level: str | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """Search the published catalogue, best first.

    ``region``: a GB/T 2260 code; a province code (``120000`` Tianjin, ``450000`` Guangxi)
    keeps the items of that province, a city or county code those of that area and of the
    bureaus above it. ``level``: one of ``catalogue.choices.Level``. An empty or
    punctuation-only query returns ``[]``; no input raises."""
    if not isinstance(query, str) or not _HAS_WORD_CHAR.search(normalize(query[:MAX_QUERY_CHARS])):
        return []
    return catalogue_index().search(query, region=region, level=level, limit=limit)
