"""Chinese word segmentation for search and for grouping recurring problems.

jieba cuts a text into words; the township's own words (village names, crops such as 日光温室,
programmes) are added to its dictionary so that they stay whole. Apps add their words through
`register_word_source` (the kernel knows no app): a callable returning words, read once, lazily,
the first time a text is cut (never at import, so no query runs while Django starts).

Two views of a text:
- `words(text)`: the words, for keywords and grouping (punctuation, spaces and stop words
  dropped, Latin letters lower-cased);
- `index_terms(text)`: what a search index stores: the fine-grained words of jieba's search mode
  plus every two-character run of Chinese (character bigrams), so a two-character word that the
  segmenter cut differently is still found.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import jieba

log = logging.getLogger(__name__)

_WORDS_FILE = Path(__file__).parent / "data" / "township_words.txt"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z0-9]+")

# Function words and fillers that say nothing about a problem.
_STOP_WORDS_TEXT = (
    "的 了 和 与 及 或 在 是 有 也 都 就 还 又 把 被 对 从 向 给 让 将 等 着 过 个 这 那 其 之 于 以 为 "
    "我 你 他 她 它 我们 他们 她们 大家 自己 一些 一个 一下 这个 那个 这些 那些 什么 怎么 如何 "
    "已经 正在 进行 开展 工作 情况 问题 群众 反映 表示 希望 要求 需要 目前 现在 今天 多日 "
    "村里 村民 村 户 家 很 较 比较 非常 特别 没有 不 没 能 会 要 可以"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_sources: list[Callable[[], Iterable[str]]] = []
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_prepared: jieba.Tokenizer | None = None  # prepare(): the dictionary without the database's words
# jieba splits a text at everything but Chinese, Latin letters and digits (its `re_han_default`)
# and cuts each piece on its own, so a piece's words never depend on its neighbours: they are
# remembered per piece, for the dictionary they were cut with. Diaries repeat their phrases (a
# county's demo year: 5x faster to index). Bounded: emptied when full.
_PIECES = jieba.re_han_default
_PIECE_CACHE_LIMIT = 200_000
_pieces: dict[tuple[str, bool], list[str]] = {}


def register_word_source(source: Callable[[], Iterable[str]]) -> None:
    """Add a source of the township's own words (read once, at the first cut)."""
    _sources.append(source)
    reset()


def reset() -> None:
    """Forget the dictionary so that the next cut rebuilds it (new villages, tests)."""
    global _tokenizer
    with _lock:
        _tokenizer = None
        _pieces.clear()


def prepare() -> None:
    """Load jieba's dictionary and the project's words now, without the database's words (~0.8 s).

    For gunicorn's master (portal.warmup.warm_up): its workers fork with the dictionary loaded and
    add only the township's words at their first cut, instead of each loading it again while a
    reload has already retired the old workers."""
    global _prepared
    with _lock:
        if _prepared is None and _tokenizer is None:
            _prepared = _base_tokenizer()


def _base_tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    jieba.setLogLevel(logging.WARNING)
    for word in _WORDS_FILE.read_text(encoding="utf-8").split():
        tokenizer.add_word(word)
    return tokenizer


def _load() -> jieba.Tokenizer:
    global _tokenizer, _prepared
    with _lock:
        if _tokenizer is None:
            # A prepared dictionary is used once: the sources' words are added to it.
            tokenizer, _prepared = (_prepared or _base_tokenizer()), None
            for source in _sources:
                try:
                    for word in source():
                        if word and len(word) > 1:
                            tokenizer.add_word(word)
                except Exception:  # a missing table (before migrate) must not stop a cut
                    log.warning("segment: a word source failed", exc_info=True)
            _tokenizer = tokenizer
        return _tokenizer


def _tokens(text: str, *, search: bool) -> list[str]:
    tokenizer = _load()
    out: list[str] = []
    for piece in _PIECES.split(text or ""):
        if not piece:
            continue
        key = (piece, search)
        words = _pieces.get(key)
        if words is None:
            words = _cut(tokenizer, piece, search=search)
            with _lock:
                if tokenizer is _tokenizer:  # not cut with a dictionary reset() has since dropped
                    if len(_pieces) >= _PIECE_CACHE_LIMIT:
                        _pieces.clear()
                    _pieces[key] = words
        out.extend(words)
    return out


def _cut(tokenizer: jieba.Tokenizer, text: str, *, search: bool) -> list[str]:
    cut = tokenizer.cut_for_search if search else tokenizer.cut
    out: list[str] = []
    for word in cut(text):
        word = word.strip().lower()
        if word and _TOKEN.fullmatch(word):
            out.append(word)
    return out


def words(text: str) -> list[str]:
    """The meaningful words of a text, in order (duplicates kept: counts matter for keywords)."""
    return [w for w in _tokens(text, search=False) if w not in STOP_WORDS and not (len(w) == 1 and _HAN.match(w))]


def bigrams(text: str) -> list[str]:
    """Every pair of neighbouring Chinese characters, run by run (no pair across punctuation)."""
    out: list[str] = []
    for run in _HAN.findall(text or ""):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def index_terms(text: str, *, distinct: bool = True) -> list[str]:
    """The terms a search index stores for a text: words and character bigrams, each once, or,
    with `distinct=False`, as often as they occur (so that ranking can count them)."""
    terms = [*_tokens(text, search=True), *bigrams(text)]
    return list(dict.fromkeys(terms)) if distinct else terms


def query_terms(query: str) -> list[list[str]]:
    """A query as groups of terms: each group must match (AND), any term of a group may (OR).

    Each whitespace-separated part of the query is one group. A Chinese part of two or more
    characters matches through its bigrams, all of which must be present (so 加压泵 finds
    加压泵 and not 加压 alone); one character or a Latin word matches itself.
    """
    groups: list[list[str]] = []
    for part in (query or "").split():
        grams = bigrams(part)
        if grams:
            groups.extend([[g] for g in dict.fromkeys(grams)])
        else:
            token = part.strip().lower()
            if token:
                groups.append([token])
    return groups
