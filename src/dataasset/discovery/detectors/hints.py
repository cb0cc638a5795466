"""Column-name hints: what a column's name (or comment) suggests it holds, in Chinese, English and
pinyin abbreviations (keywords in ``data/hints.yaml``).

A name is tokenised (snake_case, kebab-case, camelCase, runs of 汉字, full-width folded) and the
tokens joined by ``_``: ``idCardNo`` → ``id_card_no``, ``客户SFZH`` → ``客户_sfzh``. Chinese keywords
match anywhere in a run of 汉字; English and pinyin ones match whole tokens (a pinyin abbreviation of
three letters or more also matches the end of a token: ``khsfzh``); a token may carry trailing digits
(``mobile2``). Of several keywords the one ending last wins, then the longest: the head of a Chinese
or English compound comes last (``身份证地址`` is an address, ``id_card_no`` an ID number). A qualifier
after it (``手机型号``, ``mobile_type``, ``address_id``) or a negator anywhere (``是否``, ``is_``)
voids the hint.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from .base import Hint, load_data

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_TOKEN = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+")
# a comment's hint is read from its first clause: "手机号码，用于登录验证" → "手机号码"
_CLAUSE_END = re.compile(r"[，,；;。:：(（\[【/|]")


def tokenise(name: str) -> list[str]:
    """Lower-case tokens of a column name: ``userMobileNo`` → ``["user", "mobile", "no"]``,
    ``客户手机_2`` → ``["客户手机", "2"]``."""
    text = unicodedata.normalize("NFKC", name)
    text = _CAMEL.sub("_", text)
    return _TOKEN.findall(text.lower())


def _canonical(name: str) -> str:
    return "_".join(tokenise(name))


def _is_ascii_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


@dataclass(frozen=True)
class _Keyword:
    text: str  # canonical form, tokens joined by "_"
    kind: str  # "hint" | "qualifier" | "negator"
    types: tuple[str, ...] = ()
    variant: str | None = None
    suffix_ok: bool = False  # a pinyin abbreviation that may end a longer token
    guard: frozenset[str] | None = None  # allowed previous tokens, when the keyword is ambiguous alone


@dataclass(frozen=True)
class _Found:
    keyword: _Keyword
    start: int
    end: int


class HintIndex:
    """The keywords of ``data/hints.yaml``, ready to match against canonical names."""

    def __init__(self, data: dict[str, Any]) -> None:
        guarded = {str(k): frozenset(str(t) for t in v) for k, v in (data.get("guarded") or {}).items()}
        keywords: dict[tuple[str, str], _Keyword] = {}

        def add(raw: str, kind: str, **extra: Any) -> None:
            text = _canonical(raw)
            if text and (text, kind) not in keywords:
                keywords[(text, kind)] = _Keyword(text, kind, guard=guarded.get(text), **extra)

        for entry in data["hints"]:
            types = tuple(str(t) for t in entry["types"])
            variant = entry.get("variant")
            for raw in [*entry.get("zh", []), *entry.get("en", [])]:
                add(str(raw), "hint", types=types, variant=variant)
                if "_" in str(raw):  # id_card is also written idcard
                    add(str(raw).replace("_", ""), "hint", types=types, variant=variant)
            for raw in entry.get("pinyin", []):
                add(str(raw), "hint", types=types, variant=variant, suffix_ok=len(str(raw)) >= 3)
        for kind in ("qualifiers", "negators"):
            for raw in [*data[kind].get("zh", []), *data[kind].get("en", [])]:
                add(str(raw), kind[:-1])
        self.keywords = tuple(keywords.values())

    def _find(self, canon: str) -> list[_Found]:
        found: list[_Found] = []
        for kw in self.keywords:
            start = canon.find(kw.text)
            while start >= 0:
                end = start + len(kw.text)
                if self._bounded(canon, kw, start, end):
                    found.append(_Found(kw, start, end))
                start = canon.find(kw.text, start + 1)
        return found

    @staticmethod
    def _bounded(canon: str, kw: _Keyword, start: int, end: int) -> bool:
        """Whether an occurrence stands on token boundaries where the keyword is ASCII."""
        before = canon[start - 1] if start > 0 else "_"
        if _is_ascii_alnum(kw.text[0]) and before != "_" and not (kw.suffix_ok and before.isalpha()):
            return False
        if _is_ascii_alnum(kw.text[-1]) and end < len(canon) and canon[end] != "_":
            rest = canon[end:].split("_", 1)[0]
            if not rest.isdigit() or kw.text[-1].isdigit():
                return False
        if kw.guard is not None and start > 0:
            previous = canon[:start].rstrip("_").rsplit("_", 1)[-1]
            if previous not in kw.guard:
                return False
        return True

    def hint(self, text: str, source: str = "name") -> Hint | None:
        """The hint a column name (or comment, ``source="comment"``) gives, or None."""
        canon = _canonical(text)
        if not canon:
            return None
        found = self._find(canon)
        if any(f.keyword.kind == "negator" for f in found):
            return None
        hints = [f for f in found if f.keyword.kind == "hint"]
        if not hints:
            return None
        best = max(hints, key=lambda f: (f.end, f.end - f.start))
        if any(f.keyword.kind == "qualifier" and f.start >= best.end for f in found):
            return None
        kw = best.keyword
        return Hint(kw.types, canon[best.start : best.end], text, source, kw.variant)


@cache
def hint_index() -> HintIndex:
    return HintIndex(load_data("hints.yaml"))


@lru_cache(maxsize=4096)
def name_hint(name: str) -> Hint | None:
    """The hint of a column name alone."""
    return hint_index().hint(name)


def column_hint(name: str, comment: str = "") -> Hint | None:
    """The hint of a column: from its name, else from the first clause of its comment."""
    found = name_hint(name)
    if found is None and comment.strip():
        clause = _CLAUSE_END.split(comment.strip(), maxsplit=1)[0]
        found = hint_index().hint(clause, source="comment") if clause else None
    return found
