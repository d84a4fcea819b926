"""Search of diaries and matters: what each indexes, how it is kept, how a list is narrowed.

Indexed: a diary's situation, problems, ideas, place and people met; a matter's description and
resolution. The write services index the row inside their transaction (`index_diaries`,
`index_matters`); rows written in bulk (the demo, imports) and rows from before the index are
indexed by `manage.py reindex_search`. See core.search for the two databases.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from core.search import SearchIndex, document, highlight

from .models import Diary, Matter

DIARY_INDEX = SearchIndex(
    pg_table="supervision_diarysearch", pg_key="diary_id", fts_table="supervision_diary_fts", relation="search_doc"
)
MATTER_INDEX = SearchIndex(
    pg_table="supervision_mattersearch", pg_key="matter_id", fts_table="supervision_matter_fts", relation="search_doc"
)
DIARY_FIELDS = ("situation", "problems", "ideas", "place", "people_met")
MATTER_FIELDS = ("description", "resolution")
BATCH = 2000
# Each row's document also holds its township as one term, so a township's search is narrowed inside
# the GIN index (one more posting list to intersect) instead of reading the county's matches and
# filtering them by township afterwards (bench: the leader's search was 6.9× the bare view at 100k).
# Typed into a query it finds nothing the list's scope would not show anyway.
SCOPE_PREFIX = "zzt"


def scope_term(township_id: int) -> str:
    return f"{SCOPE_PREFIX}{township_id}"

T = TypeVar("T", Diary, Matter)


def _document(township_id: int, texts: Sequence[str]) -> str:
    return f"{document(*texts)} {scope_term(township_id)}"


def _rows(qs: QuerySet[T], fields: Sequence[str]) -> Iterator[tuple[int, str]]:
    for pk, township_id, *texts in qs.values_list("pk", "township_id", *fields).iterator(chunk_size=BATCH):
        yield pk, _document(township_id, texts)


def index_diaries(ids: Iterable[int]) -> int:
    """(Re)index these diaries: one read and one write."""
    return DIARY_INDEX.store(_rows(Diary.objects.filter(pk__in=list(ids)), DIARY_FIELDS))


def index_matters(ids: Iterable[int]) -> int:
    return MATTER_INDEX.store(_rows(Matter.objects.filter(pk__in=list(ids)), MATTER_FIELDS))


def index_diary(diary: Diary) -> None:
    """Index a diary from the object in hand (the write services: no read back)."""
    DIARY_INDEX.store([(diary.pk, _document(diary.township_id, [getattr(diary, f) for f in DIARY_FIELDS]))])


def index_matter(matter: Matter) -> None:
    MATTER_INDEX.store([(matter.pk, _document(matter.township_id, [getattr(matter, f) for f in MATTER_FIELDS]))])


def reindex(qs: QuerySet[T], *, batch: int = BATCH) -> Iterator[int]:
    """Index every row of `qs` in batches of `batch` ids, in id order; yields the count after each."""
    index, fields = (DIARY_INDEX, DIARY_FIELDS) if qs.model is Diary else (MATTER_INDEX, MATTER_FIELDS)
    done, last = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", "township_id", *fields)[:batch])
        if not chunk:
            return
        done += index.store((pk, _document(township_id, texts)) for pk, township_id, *texts in chunk)
        last = chunk[-1][0]
        yield done


def reindex_all(qs: QuerySet[T], *, batch: int = BATCH) -> int:
    """`reindex` to the end, in the caller's transaction; the number of rows indexed."""
    last = deque(reindex(qs, batch=batch), maxlen=1)
    return last[0] if last else 0


def _scoped(groups: Sequence[Sequence[str]], township_id: int | None) -> list[Sequence[str]]:
    return [*groups, [scope_term(township_id)]] if township_id is not None else list(groups)


def search_diaries(qs: QuerySet[Diary], groups: Sequence[Sequence[str]], *,
                   township_id: int | None = None, rank: bool = True) -> QuerySet[Diary]:
    """The diaries of a scoped list that match every group, with `search_rank` (unless `rank` is
    False: the API keeps its cursor order and needs none). `township_id` (the viewer's one
    township) narrows the match inside the index; `qs` keeps the scope."""
    return DIARY_INDEX.filter(qs, _scoped(groups, township_id), rank=rank)


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
