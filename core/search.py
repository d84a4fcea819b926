"""Word-aware full-text search over segmented Chinese text (docs/design.md, 搜索).

A searchable row keeps one document: the distinct terms of `core.segment.index_terms` (jieba's
words plus character bigrams) joined by spaces. Where it lives depends on the database:

- PostgreSQL: a side table `(row id, tsvector)` built with `to_tsvector('simple', document)`
  (the terms are already cut, so the `simple` configuration only lower-cases) with a GIN index,
  plus any columns the app copies from the row to order a page by (`SearchIndex.columns`);
- SQLite (`make run`): an FTS5 virtual table `(rowid, document)`, whose `unicode61` tokenizer
  splits on the spaces between the terms, ranked by `bm25`.

A query is a list of AND-groups (`core.segment.query_terms`): every group must match, any term of
a group may. `SearchIndex` keeps the index and narrows a queryset that the caller has already
scoped (the list selector), so search never reads a row the list would not show.

The kernel knows no app: an app names its tables in a `SearchIndex` and calls it from its write
services, inside their transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, Model, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.segment import index_terms, query_terms
from core.term_filter import term_filter

M = TypeVar("M", bound=Model)

MAX_QUERY_LENGTH = 50  # characters; a longer text is a passage, not a query
MAX_GROUPS = 24  # bigrams and words after cutting: each one is an index probe
_SAFE_TERM = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z0-9]+")


def document(*texts: str) -> str:
    """What the index stores for a row: the search terms of all its texts, repeated as often as
    they occur (ranking counts them: ts_rank's and bm25's term frequency)."""
    return " ".join(index_terms("\n".join(t for t in texts if t), distinct=False))


def parse_query(q: str) -> list[list[str]]:
    """The AND-groups of a query; a clear DomainError (on the field `q`) when it cannot be searched.

    Only Chinese runs and Latin letters and digits are kept (punctuation cannot reach the
    database's query syntax); a Chinese word must have at least two characters, as the index
    stores pairs.
    """
    text = (q or "").strip()
    if not text:
        raise DomainError(_("请输入要搜索的词。"), field="q")
    if len(text) > MAX_QUERY_LENGTH:
        raise DomainError(
            _("搜索词太长（最多 %(n)s 个字），请只输入关键词。") % {"n": MAX_QUERY_LENGTH}, field="q"
        )
    cleaned = " ".join(_WORD.findall(text))
    if any(len(run) == 1 for run in _HAN_RUN.findall(text)):
        raise DomainError(_("每个中文词至少两个字，例如“供水”。"), field="q")
    groups = [[t for t in group if _SAFE_TERM.fullmatch(t)] for group in query_terms(cleaned)]
    groups = [g for g in groups if g]
    if not groups:
        raise DomainError(_("请输入要搜索的词（汉字、字母或数字）。"), field="q")
    if len(groups) > MAX_GROUPS:
        raise DomainError(_("搜索词太多，请减少关键词。"), field="q")
    return groups


# A pair of Chinese characters: the terms of a Chinese query (core.segment.query_terms).
_HAN_PAIR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2}")


def found_in_text(groups: Sequence[Sequence[str]]) -> bool:
    """Whether a row matches these groups exactly when each group's one term is found in one of
    its indexed texts as it is: true when every group is one pair of Chinese characters.

    A document holds every pair of neighbouring Chinese characters of each text
    (core.segment.bigrams, run by run; the texts are joined by a line break, so no pair spans two
    texts), and every word jieba keeps of two Chinese characters is such a pair. So a pair is in
    the document when, and only when, some text holds it, and a caller that reads the row anyway
    may check its texts instead of its vector (stored out of line: a cadre's search page read the
    vectors of its ~51 matches, 430 of its 470 buffers). A Latin word or a longer Chinese one
    (jieba's) has no such rule: the vector decides."""
    return bool(groups) and all(len(group) == 1 and _HAN_PAIR.fullmatch(group[0]) for group in groups)


def _tsquery(groups: Sequence[Sequence[str]]) -> str:
    return " & ".join("(" + " | ".join(f"'{t}'" for t in group) + ")" for group in groups)


def _fts_match(groups: Sequence[Sequence[str]]) -> str:
    return " AND ".join("(" + " OR ".join(f'"{t}"' for t in group) + ")" for group in groups)


@dataclass(frozen=True)
class SearchIndex:
    """One searchable model's index: `pg_table(pg_key, vector)` on PostgreSQL, `fts_table` on SQLite.

    Both tables are created by the app's migration; names are constants of the app (never input).
    """

    pg_table: str
    pg_key: str
    fts_table: str
    relation: str  # the searched model's reverse one-to-one to the PostgreSQL side table
    # Columns of the row copied beside its vector on PostgreSQL, as (column, SQL type): what a page
    # orders or narrows by, so the newest matches are found in the side table alone (the row's
    # values never change once written; the store rewrites them with the vector anyway).
    columns: tuple[tuple[str, str], ...] = ()
    # A second table, (pg_key, *columns, terms), holding each row's term filter (core.term_filter)
    # beside the copied columns, written with the vector on PostgreSQL: a walk over a few rows
    # rules out those lacking a word without reading their vectors. A table of its own, so that
    # the vectors' rows stay narrow. None: the index keeps no filters.
    filter_table: str | None = None

    def store(self, rows: Iterable[Sequence[Any]]) -> int:
        """Write (row id, document, *the values of `columns`) rows, replacing what was there; one
        statement per call. SQLite keeps only the document."""
        rows = list(rows)
        if not rows:
            return 0
        ids = [row[0] for row in rows]
        # One array a column: the ids, the documents, then each copied column.
        arrays: list[Any] = [[row[i] for row in rows] for i in range(2 + len(self.columns))]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(*self._pg_store_sql(arrays, rows))
            else:
                # FTS5 has no upsert: drop the old rows of these ids, then insert.
                marks = ",".join("%s" for _ in ids)
                cursor.execute(f"DELETE FROM {self.fts_table} WHERE rowid IN ({marks})", ids)  # noqa: S608
                cursor.executemany(
                    f"INSERT INTO {self.fts_table} (rowid, body) VALUES (%s, %s)",  # noqa: S608
                    [(row[0], row[1]) for row in rows],
                )
        return len(rows)

    def _pg_store_sql(self, arrays: list[Any], rows: list[Sequence[Any]]) -> tuple[str, list[Any]]:
        """One statement writing the rows' vectors (and their filters, with `filter_table`)."""
        names = "".join(f", {name}" for name, _type in self.columns)
        casts = "".join(f", %s::{sql_type}[]" for _name, sql_type in self.columns)
        labels = "".join(f", c{i}" for i in range(len(self.columns)))
        updates = "".join(f", {name} = EXCLUDED.{name}" for name, _type in self.columns)
        vectors = (
            f"INSERT INTO {self.pg_table} ({self.pg_key}, vector{names}) "  # noqa: S608 - constant names
            f"SELECT k, to_tsvector('simple', d){labels} FROM {{rows}} "
            f"ON CONFLICT ({self.pg_key}) DO UPDATE SET vector = EXCLUDED.vector{updates}"
        )
        if not self.filter_table:
            return vectors.format(rows=f"unnest(%s::bigint[], %s::text[]{casts}) AS r(k, d{labels})"), arrays
        # Both tables in one statement (one round trip), the rows read once as a CTE.
        filters = [term_filter(row[1].split()) for row in rows]
        return (
            f"WITH r AS (SELECT * FROM unnest(%s::bigint[], %s::text[]{casts}, %s::bytea[]) "  # noqa: S608
            f"AS r(k, d{labels}, terms)), v AS ({vectors.format(rows='r')}) "
            f"INSERT INTO {self.filter_table} ({self.pg_key}{names}, terms) SELECT k{labels}, terms FROM r "
            f"ON CONFLICT ({self.pg_key}) DO UPDATE SET terms = EXCLUDED.terms{updates}",
            [*arrays, filters],
        )

    def is_empty(self) -> bool:
        """Nothing indexed yet (a database from before search, or rows written in bulk)."""
        table = self.pg_table if connection.vendor == "postgresql" else self.fts_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - a constant name
            return not cursor.fetchone()[0]

    def pg_query(self, groups: Sequence[Sequence[str]]) -> SearchQuery:
        """The groups as a PostgreSQL query of the side table's `vector`."""
        return SearchQuery(_tsquery(groups), search_type="raw", config="simple")

    def pg_row_match(self, alias: str, groups: Sequence[Sequence[str]]) -> tuple[str, list[str]]:
        """SQL (and its parameter) testing the side-table row `alias` against the groups, row by
        row: `ts_match_vq` is the `@@` operator's own function, which no index answers, so the
        planner checks the rows a caller already holds instead of reading every match of the
        GIN index (a walk over a list's newest rows, supervision.search.SearchWalk)."""
        return f"ts_match_vq({alias}.vector, to_tsquery('simple', %s))", [_tsquery(groups)]

    def pg_index_match(self, alias: str, groups: Sequence[Sequence[str]]) -> tuple[str, list[str]]:
        """SQL (and its parameter) matching the side-table row `alias` with the `@@` operator,
        which its GIN index answers (the form a SearchQuery compiles to)."""
        return f"{alias}.vector @@ to_tsquery('simple', %s)", [_tsquery(groups)]

    def filter(self, qs: QuerySet[M], groups: Sequence[Sequence[str]], *, rank: bool = True) -> QuerySet[M]:
        """The rows of `qs` that match every group, annotated with `search_rank` (higher is better)
        unless `rank` is False (a list kept in its own order: the API's cursor pages)."""
        if connection.vendor == "postgresql":
            query = self.pg_query(groups)
            # One join to the side table; the match uses its GIN index, the scope stays the caller's.
            vector = f"{self.relation}__vector"
            if not rank:
                return qs.filter(**{vector: query})
            # Normalisation 1: divided by 1 + log(length), so a long diary does not win by length alone.
            ts_rank = SearchRank(F(vector), query, normalization=Value(1))
            return qs.filter(**{vector: query}).annotate(search_rank=ts_rank)
        table = qs.model._meta.db_table
        pk = qs.model._meta.pk.column  # type: ignore[union-attr]
        match = _fts_match(groups)
        # The table names are the app's constants and the match is built from checked terms (parse_query).
        matching = RawSQL(f"SELECT rowid FROM {self.fts_table} WHERE {self.fts_table} MATCH %s", [match])  # noqa: S608, S611
        if not rank:
            return qs.filter(pk__in=matching)
        # bm25 is lower for a better match: negated, both databases sort the best first.
        bm25 = RawSQL(  # noqa: S611
            f"(SELECT -bm25({self.fts_table}) FROM {self.fts_table} "  # noqa: S608
            f"WHERE {self.fts_table} MATCH %s AND rowid = {table}.{pk})",
            [match],
            output_field=FloatField(),
        )
        return qs.filter(pk__in=matching).annotate(search_rank=bm25)


def highlight(text: str, groups: Sequence[Sequence[str]], *, width: int | None = None) -> SafeString:
    """`text` escaped, the query's words wrapped in <mark>; cut to about `width` characters
    around the first match when a width is given.

    The spans are found on the plain text and every piece is escaped on its own, so nothing the
    author wrote can become markup.
    """
    text = text or ""
    needles = sorted({t for group in groups for t in group}, key=len, reverse=True)
    lowered = text.lower()
    marked = [False] * len(text)
    for needle in needles:
        start = lowered.find(needle)
        while start != -1:
            for i in range(start, start + len(needle)):
                marked[i] = True
            start = lowered.find(needle, start + 1)
    lo, hi = 0, len(text)
    if width is not None and len(text) > width:
        first = marked.index(True) if True in marked else 0
        lo = max(0, first - width // 4)
        hi = min(len(text), lo + width)
    out: list[str] = ["…"] if lo > 0 else []
    i = lo
    while i < hi:
        j = i
        while j < hi and marked[j] == marked[i]:
            j += 1
        piece = escape(text[i:j])
        out.append(f"<mark>{piece}</mark>" if marked[i] else str(piece))
        i = j
    if hi < len(text):
        out.append("…")
    return mark_safe("".join(out))  # noqa: S308 - every piece of user text above is escaped
