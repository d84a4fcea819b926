"""Search of diaries and matters: what each indexes, how it is kept, how a list is narrowed.

Indexed: a diary's situation, problems, ideas, place and people met; a matter's description and
resolution. The write services index the row inside their transaction (`index_diaries`,
`index_matters`); rows written in bulk (the demo, imports) and rows from before the index are
indexed by `manage.py reindex_search`. See core.search for the two databases.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from core.search import SearchIndex, document, found_in_text, highlight
from core.sql import row_date
from core.term_filter import check_sql as term_filter_sql

from .models import Diary, Matter

# A diary's date and author sit beside its vector (PostgreSQL): a township's search page is ordered
# by the date without joining every match to its diary (`township_search_rows`). Neither ever
# changes. The same copies sit beside each diary's term filter (`filter_table`), through which a
# cadre's own matches are found (`own_search_rows`).
DIARY_INDEX = SearchIndex(
    pg_table="supervision_diarysearch", pg_key="diary_id", fts_table="supervision_diary_fts", relation="search_doc",
    columns=(("date", "date"), ("author_id", "bigint")), filter_table="supervision_diaryterms",
)
MATTER_INDEX = SearchIndex(
    pg_table="supervision_mattersearch", pg_key="matter_id", fts_table="supervision_matter_fts", relation="search_doc"
)
DIARY_FIELDS = ("situation", "problems", "ideas", "place", "people_met")
MATTER_FIELDS = ("description", "resolution")
# The row's values stored with its document, in the order of its index's `columns`.
DIARY_COPIED = ("date", "author_id")
MATTER_COPIED: tuple[str, ...] = ()
BATCH = 2000
# Each row's document also holds its township as one term, so a township's search is narrowed inside
# the GIN index (one more posting list to intersect) instead of reading the county's matches and
# filtering them by township afterwards (bench: the leader's search was 6.9× the bare view at 100k).
# Typed into a query it finds nothing the list's scope would not show anyway.
SCOPE_PREFIX = "zzt"


def scope_term(township_id: int) -> str:
    return f"{SCOPE_PREFIX}{township_id}"


# A diary's document also holds its township's month as one term (zzt3m202612): a township's
# search page asks the GIN index for the matches of the page's months first (`IndexRows.window`),
# a few hundred rows whose newest fill the page, instead of checking the township's newest
# diaries' vectors one by one (each stored out of line, ~4.5 kB: a common pair of words at a
# million diaries read ~2,500 buffers a page) or sorting every match of its years.
def month_term(township_id: int, day: dt.date) -> str:
    return f"{SCOPE_PREFIX}{township_id}m{day.year}{day.month:02d}"


T = TypeVar("T", Diary, Matter)


def _document(township_id: int, texts: Sequence[str], day: dt.date | str | None = None) -> str:
    """A row's document: its texts' terms, its township's term and (a diary: `day`) its month's."""
    month = f" {month_term(township_id, row_date(day))}" if day is not None else ""  # row_date: a date as text
    return f"{document(*texts)} {scope_term(township_id)}{month}"


def _spec(model: type[Model]) -> tuple[SearchIndex, tuple[str, ...], tuple[str, ...]]:
    """(index, indexed text fields, copied fields) of a searchable model."""
    return (DIARY_INDEX, DIARY_FIELDS, DIARY_COPIED) if model is Diary else (MATTER_INDEX, MATTER_FIELDS, MATTER_COPIED)


def index_row(model: type[Model], values: Sequence[Any]) -> tuple[Any, ...]:
    """What the index stores for one row read as `index_columns(model)`: (id, document, *copied)."""
    _index, _fields, copied = _spec(model)
    pk, township_id, *rest = values
    kept, texts = rest[:len(copied)], rest[len(copied):]
    day = kept[copied.index("date")] if "date" in copied else None
    return (pk, _document(township_id, texts, day), *kept)


def index_columns(model: type[Model]) -> tuple[str, ...]:
    """The fields to read for `index_row`: id, township, the copied fields, the texts."""
    _index, fields, copied = _spec(model)
    return ("pk", "township_id", *copied, *fields)


def _rows(qs: QuerySet[T]) -> Iterator[tuple[Any, ...]]:
    for values in qs.values_list(*index_columns(qs.model)).iterator(chunk_size=BATCH):
        yield index_row(qs.model, values)


def index_diaries(ids: Iterable[int]) -> int:
    """(Re)index these diaries: one read and one write."""
    return DIARY_INDEX.store(_rows(Diary.objects.filter(pk__in=list(ids))))


def index_matters(ids: Iterable[int]) -> int:
    return MATTER_INDEX.store(_rows(Matter.objects.filter(pk__in=list(ids))))


def _in_hand(obj: Model) -> tuple[Any, ...]:
    return index_row(type(obj), [getattr(obj, name) for name in index_columns(type(obj))])


def index_diary(diary: Diary) -> None:
    """Index a diary from the object in hand (the write services: no read back)."""
    DIARY_INDEX.store([_in_hand(diary)])


def index_matter(matter: Matter) -> None:
    MATTER_INDEX.store([_in_hand(matter)])


def reindex(qs: QuerySet[T], *, batch: int = BATCH, documents_only: bool = False) -> Iterator[int]:
    """Index every row of `qs` in batches of `batch` ids, in id order; yields the count after each.

    `documents_only`: rewrite the documents alone (a migration from before the side table had its
    copied columns and its term filter; the migrations that added them fill them)."""
    index, _fields, _copied = _spec(qs.model)
    if documents_only:
        index = replace(index, columns=(), filter_table=None)
    done, last = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk").values_list(*index_columns(qs.model))[:batch])
        if not chunk:
            return
        rows = (index_row(qs.model, values) for values in chunk)
        done += index.store(row[:2] for row in rows) if documents_only else index.store(rows)
        last = chunk[-1][0]
        yield done


def reindex_all(qs: QuerySet[T], *, batch: int = BATCH, documents_only: bool = False) -> int:
    """`reindex` to the end, in the caller's transaction; the number of rows indexed."""
    last = deque(reindex(qs, batch=batch, documents_only=documents_only), maxlen=1)
    return last[0] if last else 0


def _scoped(groups: Sequence[Sequence[str]], township_id: int | None) -> list[Sequence[str]]:
    return [*groups, [scope_term(township_id)]] if township_id is not None else list(groups)


def search_diaries(qs: QuerySet[Diary], groups: Sequence[Sequence[str]], *,
                   township_id: int | None = None, rank: bool = True) -> QuerySet[Diary]:
    """The diaries of a scoped list that match every group, with `search_rank` (unless `rank` is
    False: the API keeps its cursor order and needs none). `township_id` (the viewer's one
    township) narrows the match inside the index; `qs` keeps the scope."""
    return DIARY_INDEX.filter(qs, _scoped(groups, township_id), rank=rank)


# The cursor's bounds on the date that IndexRows.filter takes, as SQL comparisons.
_DATE_BOUNDS = {"date__lt": "<", "date__lte": "<=", "date__gt": ">", "date__gte": ">="}


@dataclass(frozen=True)
class IndexRows:
    """The search rows of diaries that match a query, read from the search table alone through its
    GIN index, (id, date) in a page's order (PostgreSQL only): `township_search_rows` and
    `own_search_rows`. One hand-written statement: built as querysets (a join-free filter, an
    exclusion, an annotation) they cost ~1 ms of CPU a page to build and compile, more than the
    statement's run. It answers what SearchWalk asks of its fallback: the cursor's date bounds
    (`filter`) and the page's first rows in an order (`sql`)."""

    groups: tuple[tuple[str, ...], ...]  # the township's term among them (_scoped)
    township_id: int
    author_id: int | None = None
    bounds: tuple[tuple[str, Any], ...] = ()
    # A township's rows (township_search_rows): a page may be answered from its months (`window`).
    windowed: bool = False

    def filter(self, **bounds: Any) -> IndexRows:
        unknown = set(bounds) - set(_DATE_BOUNDS)
        if unknown:
            raise ValueError(f"index rows are bounded by their date only, not {sorted(unknown)}")
        return replace(self, bounds=(*self.bounds, *bounds.items()))

    def sql(self, ordering: Sequence[str], limit: int) -> tuple[str, list[Any]]:
        """The first `limit` rows (`id`, `date`) in `ordering` ((date, id) either way)."""
        if self.author_id is not None:
            return self._own_sql(ordering, limit)
        match, query = DIARY_INDEX.pg_index_match("s", self.groups)
        conditions: list[str] = [match, *self._bounds_sql()]
        params: list[Any] = [*query, *(value for _name, value in self.bounds)]
        withdrawn, withdrawn_params = self._withdrawn_sql()
        sql = (
            f"SELECT s.{DIARY_INDEX.pg_key} AS id, s.date FROM {DIARY_INDEX.pg_table} s "  # noqa: S608 - constant names
            f"WHERE {' AND '.join(conditions)} AND s.{DIARY_INDEX.pg_key} NOT IN ({withdrawn}) "
            f"ORDER BY {_order_sql(ordering)} LIMIT %s"
        )
        return sql, [*params, *withdrawn_params, limit]

    def _bounds_sql(self) -> list[str]:
        return [f"s.date {_DATE_BOUNDS[name]} %s" for name, _value in self.bounds]

    def _withdrawn_sql(self) -> tuple[str, list[int]]:
        """The withdrawn diaries these rows exclude (by id), read from their own small index
        (diary_withdrawn_scope_idx): the township's, a cadre's own of it. Every row that passes the
        match is of the township (its term is among the groups), so no other can matter; reading
        the county's instead (~1,000 at a million diaries) and hashing them was a third of a
        cadre's search statement (0.3 of 0.9 ms)."""
        sql = f"SELECT id FROM {Diary._meta.db_table} WHERE deleted_at IS NOT NULL AND township_id = %s"  # noqa: S608
        if self.author_id is None:
            return sql, [self.township_id]
        return f"{sql} AND author_id = %s", [self.township_id, self.author_id]

    def _own_sql(self, ordering: Sequence[str], limit: int) -> tuple[str, list[Any]]:
        """A cadre's matches: their diaries walked in the page's order through the index on
        (author, date, id) that holds each one's term filter (an index-only scan), those whose
        filter lacks a word ruled out there, and only the rest checked (`diary_match_sql`: a
        Chinese query in the diary's texts, any other in its vector).

        The walk costs what the page needs (a common pair of words, one diary in seven: ~7 rows a
        match) and the cadre's own diaries at most, however large the county grows: the GIN
        index's answer, their ~500 diaries intersected with each word's posting list, read every
        word's whole list (at a million diaries ~0.9 ms a word, ~0.15 at 100k)."""
        check, check_params = term_filter_sql("s.terms", self.groups)
        key = DIARY_INDEX.pg_key
        match, match_params = diary_match_sql(f"s.{key}", self.groups, township_id=self.township_id)
        withdrawn, withdrawn_params = self._withdrawn_sql()
        # The match's check is a subquery, so that the walk stays within the index: the planner
        # runs it last (the costliest condition) for the few rows that pass the rest.
        sql = (
            f"SELECT s.{key} AS id, s.date FROM {DIARY_INDEX.filter_table} s "  # noqa: S608 - constant names
            f"WHERE {' AND '.join(['s.author_id = %s', *self._bounds_sql(), check])} "
            f"AND s.{key} NOT IN ({withdrawn}) AND {match} "
            f"ORDER BY {_order_sql(ordering)} LIMIT %s"
        )
        params = [self.author_id, *(value for _name, value in self.bounds), *check_params, *withdrawn_params,
                  *match_params, limit]
        return sql, params

    def window(self, ordering: Sequence[str], today: dt.date) -> Window | None:
        """These rows within the three months around the page's anchor, which hold the page's rows
        whenever they hold `limit` matches (a township's rows only).

        The anchor is the cursor's bound on the side the page starts from (newest first: its upper
        bound, else today; oldest first: its lower bound, else no window). Newest first, every row
        past the cursor and before the window is older than every row in it, so the window's first
        matches are the page's; a row newer than the window (dated after next month: never
        written, as no diary is dated in the future) would be missed, and `newer` finds it.
        Oldest first, the same holds the other way round (the rows past a lower bound cannot be
        older than the window)."""
        if not self.windowed:
            return None
        newest_first = ordering[0].startswith("-")
        sides = ("date__lt", "date__lte") if newest_first else ("date__gt", "date__gte")
        anchors = [_as_date(value) for name, value in self.bounds if name in sides]
        if newest_first:
            anchor = min([today, *anchors])
        elif anchors:
            anchor = max(anchors)
        else:
            return None
        first, last = _add_months(anchor, -1), _add_months(anchor, 1)
        months = (first, anchor, last)
        township = (scope_term(self.township_id),)
        # The month's terms hold the township's: its own (larger) posting list is not read.
        groups = (*(g for g in self.groups if g != township), tuple(month_term(self.township_id, m) for m in months))
        rows = replace(self, groups=groups, windowed=False)
        end = _add_months(last.replace(day=1), 1) - dt.timedelta(days=1)
        return Window(rows, newer=(self.township_id, end) if newest_first else None)


@dataclass(frozen=True)
class Window:
    """A page's rows from its months (IndexRows.window), and where rows newer than the months
    would be: (township, the window's last day), checked before the window answers."""

    rows: IndexRows
    newer: tuple[int, dt.date] | None

    def newer_sql(self) -> tuple[str, list[Any]]:
        """SQL true when the township has a diary past the window (one probe of its date index)."""
        if self.newer is None:
            return "false", []
        return (f"EXISTS (SELECT 1 FROM {Diary._meta.db_table} WHERE township_id = %s AND date > %s)",  # noqa: S608
                list(self.newer))


def diary_match_sql(diary_id: str, groups: Sequence[Sequence[str]], *,
                    township_id: int | None = None) -> tuple[str, list[Any]]:
    """SQL (a scalar subquery) true when the diary whose id is the expression `diary_id` matches
    every group, and its parameters; the diaries a caller holds one by one (a walk), not a set
    the GIN index should answer. `township_id`: the groups hold the township's term
    (`_scoped`), which the diary's own township answers.

    A Chinese query is checked in the diary's own texts (core.search.found_in_text): its row,
    in line, which the page reads next anyway. Any other reads the diary's vector, stored out of
    line (~4.6 kB: a lookup of its search row and three chunks of its TOAST table)."""
    table = Diary._meta.db_table
    words = [g for g in groups if township_id is None or tuple(g) != (scope_term(township_id),)]
    if not found_in_text(words):
        match, query = DIARY_INDEX.pg_row_match("v", groups)
        return (f"(SELECT {match} FROM {DIARY_INDEX.pg_table} v WHERE v.{DIARY_INDEX.pg_key} = {diary_id})",  # noqa: S608
                list(query))
    conditions: list[str] = []
    params: list[Any] = []
    if township_id is not None:
        conditions.append("d.township_id = %s")
        params.append(township_id)
    for (pair,) in words:
        conditions.append("(" + " OR ".join(f"strpos(d.{field}, %s) > 0" for field in DIARY_FIELDS) + ")")
        params.extend([pair] * len(DIARY_FIELDS))
    return f"(SELECT {' AND '.join(conditions)} FROM {table} d WHERE d.id = {diary_id})", params  # noqa: S608


def _as_date(value: Any) -> dt.date:
    """A cursor's bound on the date, as the paginator gives it (a date or its ISO text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return row_date(value if isinstance(value, dt.date) else str(value)[:10])


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def township_search_rows(groups: Sequence[Sequence[str]], *, township_id: int) -> IndexRows:
    """The search rows of a township's diaries that match every group (not withdrawn), `id` (the
    diary's) beside the copied `date`: the API's list order, (date, id) newest first.

    The fallback of a township-wide search page, for a reader of every diary of the township
    (the leaders, the office …: `diaries_for` shows them the township's diaries that are not
    withdrawn). Both conditions are met inside the side table: the township's term in the GIN
    index, and the withdrawn diaries excluded by id; only the page's rows are then read from the
    diaries, instead of every match of the township being joined and sorted (7,200 rows for a
    common pair of words at a million diaries).
    """
    return IndexRows(_frozen(_scoped(groups, township_id)), township_id, windowed=True)


def own_search_rows(groups: Sequence[Sequence[str]], *, author_id: int, township_id: int) -> IndexRows:
    """The search rows of a cadre's own diaries of a township that match every group (not
    withdrawn): a search page of a cadre who reads only their own diaries (`diaries_for`: theirs
    in their township, not withdrawn).

    Their newest diaries are walked through the index of the author's diaries by date, which
    holds each one's term filter (core.term_filter: `IndexRows._own_sql`): a common pair of words
    rules out six diaries in seven inside the index, and only the rest are checked: a Chinese
    query in their rows' texts (which the page then shows), any other in their vectors, stored
    out of line (~4.6 kB). Checking every walked diary's vector cost a page of 51 at a million
    diaries ~350 of them (p95 under load 104 ms); the GIN index's (author_id, vector) intersection
    cost each word's whole posting list, which grows with the county."""
    return IndexRows(_frozen(_scoped(groups, township_id)), township_id, author_id=author_id)


def _frozen(groups: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group) for group in groups)


# How many of a list's newest rows a search page checks one by one before it asks the GIN index for
# every match instead. A common pair of words (管网 维修: one diary in seven) fills a page of 51 in
# the first ~360; a rarer query checks these, then reads the index, whose matches are then few.
WALK_ROWS = 1000


def _order_sql(ordering: Sequence[str]) -> str:
    return ", ".join(f"{name.lstrip('-')} {'DESC' if name.startswith('-') else 'ASC'}" for name in ordering)


class SearchWalk:
    """A diary search page's `{"id", "date"}` rows in the list's order, for DRF's cursor pagination
    (it orders, bounds by the cursor's date and slices; nothing else is supported).

    The matches of a search are the list's rows (`scope`) that match every group; a page wants the
    first few in the list's order, (date, id) newest first. Reading every match from the GIN index
    and sorting them costs what the scope has accumulated (7,200 matches of a common pair of words
    in a township at a million diaries, where a page needs 51). Instead the list's own index is
    walked from the cursor's position, newest first, and each of at most `WALK_ROWS` rows is
    checked against its search row: the cost follows the page, not the years behind it. The first
    rows of the walk that match are the first matches, since the walk is a prefix of the list in
    the same total order; only when the walk ends short of the page without reaching the end of
    the list does the same statement fall back to `fallback` (the same rows through the GIN
    index: a rare query, with few matches to read). With `walk_rows=0` there is no walk: the
    fallback answers every page (a cadre's own diaries, whose matches the index finds alone:
    `own_search_rows`).
    """

    def __init__(self, scope: QuerySet[Diary] | None, groups: Sequence[Sequence[str]],
                 fallback: QuerySet[Any] | IndexRows, *,
                 rows: Callable[[str, Sequence[Any]], list[dict[str, Any]]] | None = None,
                 ordering: Sequence[str] = ("-date", "-id"), walk_rows: int = WALK_ROWS) -> None:
        """`rows`: reads the rows of diaries a page shows (dicts with `id` and `date`) of the ids
        a given statement selects, in the same statement; without it a page is its
        `{"id", "date"}` rows. `scope`: None when there is no walk (`walk_rows=0`), whose
        fallback holds the scope itself."""
        if scope is None and walk_rows:
            raise ValueError("a walk needs the list's scope")
        self.scope, self.groups, self.fallback, self.rows = scope, groups, fallback, rows
        self.ordering, self.walk_rows = tuple(ordering), walk_rows

    def _with(self, **changes: Any) -> SearchWalk:
        values = {"scope": self.scope, "groups": self.groups, "fallback": self.fallback, "rows": self.rows,
                  "ordering": self.ordering, "walk_rows": self.walk_rows, **changes}
        return SearchWalk(values.pop("scope"), values.pop("groups"), values.pop("fallback"), **values)

    def order_by(self, *ordering: str) -> SearchWalk:
        if tuple(ordering) not in (("-date", "-id"), ("date", "id")):
            raise ValueError(f"a search walk follows the list's order, not {ordering}")
        return self._with(ordering=ordering)

    def filter(self, **bounds: Any) -> SearchWalk:
        """The cursor's bound on the date (`date__lt` / `date__gt`), applied to both ways."""
        scope = self.scope.filter(**bounds) if self.scope is not None else None
        return self._with(scope=scope, fallback=self.fallback.filter(**bounds))

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        start, stop = page.start or 0, page.stop
        assert stop is not None and page.step is None, "a page is a bounded slice"
        sql, params = self._page_sql(start, stop)
        if self.rows is not None:
            found = self.rows(f"SELECT id FROM ({sql}) page", params)  # noqa: S608 - built from parameters
            newest_first = self.ordering[0].startswith("-")
            return sorted(found, key=lambda row: (row["date"], row["id"]), reverse=newest_first)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [{"id": pk, "date": day} for pk, day in cursor.fetchall()]

    def _page_sql(self, start: int, stop: int) -> tuple[str, list[Any]]:
        """The page's (id, date) rows, the rows `start` to `stop` of the matches in the order.

        The walk (the list's first `walk_rows` rows in the order, the first stretch at least) is
        read once, as far as the statement asks for it: a CTE is read on demand, and where the
        list's index gives the order (a township's list) only the rows the page needs are
        fetched; where the scope must be sorted first (a cadre's own diaries: a bitmap of two
        indexes) it is sorted once, not once for each part below (at a million diaries a cadre's
        page read its scope 4 times, ~3 ms each: 12.4 → 6.3 ms).

        Three ways, chosen in the statement (each CTE runs only when a branch reads it): the
        first stretch of the walk (`stop` rows twice over) fills the page or ends the list;
        too few of its rows match for `walk_rows` to fill the page (a rare query) and the list
        goes on past the walk, and the index answers at once; otherwise the walk goes on to
        `walk_rows`, and the index answers only if that still falls short. A list the walk
        holds whole (a cadre's own diaries) is always walked: the index would read the whole
        township's matches to find the few of its rows (bench: a cadre's p95 104 ms at 1m)."""
        first = 2 * stop
        more_sql: str
        more_params: Sequence[Any]
        if isinstance(self.fallback, IndexRows):
            more_sql, more_params = self.fallback.sql(self.ordering, stop)
        else:
            more_sql, more_params = (self.fallback.order_by(*self.ordering).values("id", "date")[:stop]
                                     .query.sql_with_params())
        order = _order_sql(self.ordering)
        if self.walk_rows == 0:
            # No walk: the fallback's index answers (own_search_rows), a township's from the
            # page's months first (IndexRows.window).
            window = (self.fallback.window(self.ordering, timezone.localdate())
                      if isinstance(self.fallback, IndexRows) else None)
            if window is None:
                return (f"SELECT id, date FROM ({more_sql}) m ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608
                        [*more_params, stop - start, start])
            recent_sql, recent_params = window.rows.sql(self.ordering, stop)
            newer_sql, newer_params = window.newer_sql()
            # The months answer when they hold the page; else every match of the township is
            # read through the index (then few: fewer than a page in three months).
            return (
                f"WITH recent AS MATERIALIZED ({recent_sql}), "  # noqa: S608 - built from parameters
                f"way AS MATERIALIZED (SELECT (SELECT count(*) FROM recent) >= %s AND NOT {newer_sql} AS months) "
                f"SELECT id, date FROM recent WHERE (SELECT months FROM way) "
                f"UNION ALL SELECT id, date FROM ({more_sql}) m WHERE NOT (SELECT months FROM way) "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*recent_params, stop, *newer_params, *more_params, stop - start, start],
            )
        assert self.scope is not None  # __init__: a walk has its scope
        # No ORDER BY inside: the walk orders (and limits) the scope's rows itself.
        walk_sql, walk_params = self.scope.order_by().values("id", "date").query.sql_with_params()
        match, match_params = diary_match_sql("w.id", self.groups)

        def stretch(rows: str, wanted: str) -> tuple[str, list[Any]]:
            # The walk's `rows`, each checked against the query, in the walk's order (a CTE is
            # read in the order it was written, and a filter keeps it): the LIMIT stops the walk
            # at the page's last match. The check is a correlated subquery, which the planner
            # never turns into a join (a join could reorder the rows and would need a sort to
            # stop early).
            return (f"SELECT w.id, w.date FROM (SELECT id, date FROM walk {rows}) w "  # noqa: S608
                    f"WHERE {match} LIMIT ({wanted})",
                    [*match_params, stop])

        head, head_params = stretch(f"LIMIT {first}", "%s")
        rest, rest_params = stretch(f"OFFSET {first}", "GREATEST(%s - (SELECT count(*) FROM head), 0)")
        head_rows = f"(SELECT count(*) FROM (SELECT 1 FROM walk LIMIT {first}) x)"  # noqa: S608 - an integer
        # The tables and the order are constants (order_by checks it), the numbers are integers;
        # everything else is a parameter.
        sql = (
            f"WITH walk AS MATERIALIZED (SELECT id, date FROM ({walk_sql}) z ORDER BY {order} LIMIT %s), "  # noqa: S608
            f"head AS MATERIALIZED ({head}), rest AS MATERIALIZED ({rest}), "
            f"way AS MATERIALIZED (SELECT CASE "
            f"WHEN (SELECT count(*) FROM head) >= %s OR {head_rows} < %s THEN 'head' "
            f"WHEN (SELECT count(*) FROM head) * %s < %s AND (SELECT count(*) FROM walk) >= %s THEN 'index' "
            f"WHEN (SELECT count(*) FROM head) + (SELECT count(*) FROM rest) >= %s "
            f"OR (SELECT count(*) FROM walk) < %s THEN 'walk' "
            f"ELSE 'index' END AS it) "
            f"SELECT id, date FROM head WHERE (SELECT it FROM way) <> 'index' "
            f"UNION ALL SELECT id, date FROM rest WHERE (SELECT it FROM way) = 'walk' "
            f"UNION ALL SELECT id, date FROM ({more_sql}) m WHERE (SELECT it FROM way) = 'index' "
            f"ORDER BY {order} LIMIT %s OFFSET %s"
        )
        params = [
            *walk_params, max(self.walk_rows, first),
            *head_params, *rest_params,
            stop, first,
            self.walk_rows, stop * first, self.walk_rows,
            stop, self.walk_rows,
            *more_params, stop - start, start,
        ]
        return sql, params


def search_matters(qs: QuerySet[Matter], groups: Sequence[Sequence[str]], *,
                   township_id: int | None = None, rank: bool = True) -> QuerySet[Matter]:
    return MATTER_INDEX.filter(qs, _scoped(groups, township_id), rank=rank)


def diary_snippet(diary: Diary, groups: Sequence[Sequence[str]], *, width: int = 100) -> SafeString:
    """The diary's text around the first match, escaped, the query's words marked."""
    text = " · ".join(t for t in (getattr(diary, f) for f in DIARY_FIELDS) if t)
    return highlight(text, groups, width=width)


def matter_snippet(matter: Matter, groups: Sequence[Sequence[str]], *, width: int = 100) -> SafeString:
    text = " · ".join(t for t in (matter.description, matter.resolution) if t)
    return highlight(text, groups, width=width)
