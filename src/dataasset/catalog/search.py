"""Chinese full-text search of the catalog.

Text is segmented by jieba (with the domain dictionary in ``dict/domain.txt``) in search mode, so a
compound such as 维修信息 is indexed as 维修信息, 维修 and 信息. The segmented text is kept in
``catalog_asset_card.search_text`` and indexed by SQLite FTS5 (an external-content table kept in
step by triggers) or by a PostgreSQL ``tsvector`` column with a GIN index ('simple' config).

A query term matches an indexed token exactly (single characters and Latin words as a prefix), or
through all of its finer parts: 维修信息 finds cards that say 维修 … 信息, and 维修 finds 维修信息,
which search mode indexes as 维修信息, 维修 and 信息.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import jieba

_DICT = Path(__file__).with_name("dict") / "domain.txt"
_WORD = re.compile(r"\w+", re.UNICODE)
_tokenizer: jieba.Tokenizer | None = None
_lock = threading.Lock()


def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer of our own (not the global one), loaded once with the domain dictionary."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                tok.load_userdict(str(_DICT))
                _tokenizer = tok
    return _tokenizer


def _words(tokens: Iterable[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        for word in _WORD.findall(token.lower()):
            out.append(word)
    return out


def index_text(*parts: str) -> str:
    """Segment the given texts for the index: unique tokens separated by spaces."""
    tok = tokenizer()
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            for word in _words(tok.cut_for_search(part)):
                seen.setdefault(word, None)
    return " ".join(seen)


def query_terms(q: str) -> list[list[str]]:
    """Terms of a query, each with its alternatives: ``[[term, part1, part2], ...]``.

    The first item is the term; the rest (if any) are finer parts that together also match.
    """
    tok = tokenizer()
    terms: list[list[str]] = []
    for word in _words(tok.cut(q)):
        pieces = {p for p in _words(tok.cut_for_search(word)) if len(p) < len(word)}
        terms.append([word, *_cover(word, pieces)])
    return terms[:16]


def _cover(word: str, pieces: set[str]) -> list[str]:
    """Split ``word`` into the longest known pieces from left to right; [] if they do not cover it."""
    out: list[str] = []
    i = 0
    while i < len(word):
        best = max((p for p in pieces if word.startswith(p, i)), key=len, default=None)
        if best is None:
            return []
        out.append(best)
        i += len(best)
    return out


def _prefix(term: str) -> bool:
    """Prefix-match only single characters and Latin words: every longer Chinese word is indexed
    whole with its parts (search mode), and a prefix scan over a common two-character word merges
    the posting lists of every longer word that starts with it (bench/catalog: the slowest query)."""
    return len(term) == 1 or term.isascii()


def fts5_match(q: str) -> str | None:
    """An FTS5 MATCH expression, or None when the query has no searchable word."""

    def one(word: str) -> str:
        return f'"{word}"*' if _prefix(word) else f'"{word}"'

    clauses = []
    for term, *parts in query_terms(q):
        alt = one(term)
        if parts:
            alt = f"({alt} OR ({' AND '.join(one(p) for p in parts)}))"
        clauses.append(alt)
    return " AND ".join(clauses) if clauses else None


def tsquery(q: str) -> str | None:
    """A PostgreSQL to_tsquery('simple', ...) expression, or None when the query has no word."""

    def one(word: str) -> str:
        return f"'{word}':*" if _prefix(word) else f"'{word}'"

    clauses = []
    for term, *parts in query_terms(q):
        alt = one(term)
        if parts:
            alt = f"({alt} | ({' & '.join(one(p) for p in parts)}))"
        clauses.append(alt)
    return " & ".join(clauses) if clauses else None
