"""A row's term filter: a Bloom filter of its search document's terms, read inside an index.

Why: a cadre's search page wants the newest few of their own diaries that hold every word. The GIN
index answers "which of these ~500 diaries hold the word" by walking the word's whole posting
list (at a million diaries ~0.9 ms a common word, six times its cost at 100k: the list grows with
the county, the cadre's diaries do not). Walking the cadre's newest diaries instead costs what the
page needs, but checking a diary's vector means reading it out of line (~4.5 kB, TOAST). The
filter is 512 bytes, kept in its own table (supervision.models.DiaryTerms) and carried by an index
on the author and the date, so a diary that lacks a word is ruled out inside the index; only the
few that pass have their vector read, which confirms the match (a filter says "maybe", never "no"
wrongly).

The filter holds every term of the document lower-cased and, for a term with other characters
(jieba keeps 3.5 or e-mail whole), each of its runs of Chinese or of Latin letters and digits: a
query's terms are such runs (core.search.parse_query), and PostgreSQL's parser cuts a term at most
into those runs, so every lexeme a query can ask for is in the filter. Bits are numbered as
PostgreSQL's `get_bit(bytea, n)` reads them: byte n // 8, bit n % 8 from the lowest.

4,096 bits and three hashes: a diary of ~270 distinct terms wrongly passes a word it lacks about
once in 160 (a long one of 500 terms, once in 35).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

BITS = 4096
HASHES = 3
SIZE = BITS // 8  # bytes
_WIDTH = BITS.bit_length() - 1  # 12 bits of the hash per position
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+")


def positions(term: str) -> tuple[int, ...]:
    """The filter's bits of one term (as the query gives it: lower-cased)."""
    value = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")
    return tuple((value >> (_WIDTH * i)) & (BITS - 1) for i in range(HASHES))


# Terms repeat from diary to diary: the commonest keep their mask. An entry is a 4,096-bit integer
# (up to ~0.7 kB with its key), so the cache holds at most ~15 MB in a worker, however many words it meets.
@lru_cache(maxsize=20_000)
def _mask(term: str) -> int:
    """The bits of a document's term and of its runs, as one integer."""
    mask = 0
    for part in {term, *_RUNS.findall(term)}:
        for bit in positions(part):
            mask |= 1 << bit
    return mask


def term_filter(terms: Iterable[str]) -> bytes:
    """The filter of a document's terms (a document's text split at spaces, or its lexemes)."""
    mask = 0
    for term in {t.lower() for t in terms}:
        mask |= _mask(term)
    return mask.to_bytes(SIZE, "little")


def may_hold(data: bytes, term: str) -> bool:
    """Whether a filter may hold the term (Python's side of the check, for tests and tools)."""
    return all(data[bit >> 3] >> (bit & 7) & 1 for bit in positions(term))


def check_sql(column: str, groups: Sequence[Sequence[str]]) -> tuple[str, list[int]]:
    """SQL true when the filter in `column` may hold every group (any of a group's terms), and its
    parameters (each a bit's number)."""
    ors = []
    params: list[int] = []
    for group in groups:
        alternatives = []
        for term in group:
            bits = positions(term)
            alternatives.append(" AND ".join(f"get_bit({column}, %s) = 1" for _ in bits))
            params.extend(bits)
        ors.append("(" + " OR ".join(f"({a})" for a in alternatives) + ")")
    return f"({' AND '.join(ors)})", params
