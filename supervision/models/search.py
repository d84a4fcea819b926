"""The search index of diaries and matters on PostgreSQL (core.search; docs/design.md, 搜索).

One row per diary or matter: the `tsvector` of its segmented text. It sits beside the row, not in
it, so the lists never read it and the history never copies it. Its GIN index, and on SQLite the
FTS5 tables that take its place, are created by the migration `0012_search` for the database at
hand (a GIN index cannot be declared here without breaking SQLite).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from .diaries import Diary
from .matters import Matter


class DiarySearch(models.Model):
    diary = models.OneToOneField(Diary, on_delete=models.CASCADE, primary_key=True, related_name="search_doc")
    vector = SearchVectorField()
    # A copy of the diary's date (which never changes), written with the vector: a township's
    # search page is ordered here, without joining each match to its diary
    # (supervision.search.township_search_rows). Empty on SQLite, where FTS5 holds the index.
    date = models.DateField()
    # A copy of the diary's author (which never changes either), the first column of the vector's
    # GIN index (btree_gin, migration 0023). A cadre's own search now walks DiaryTerms instead.
    author_id = models.BigIntegerField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"diary {self.pk}"


class DiaryTerms(models.Model):
    """A diary's term filter (core.term_filter: a Bloom filter of its search document's terms, 512
    bytes) beside copies of its author and date, written with its search row (PostgreSQL only).

    A cadre's search page walks their diaries newest first inside `diaryterms_author_walk`, which
    holds the filter, and reads the vectors of the diaries that may match only
    (supervision.search.IndexRows._own_sql). A table of its own: beside the vector the filter
    made each search row six times wider, and at a million diaries the GIN index's intersection
    for a township's months went from 0.4 to 9.4 ms."""

    diary = models.OneToOneField(Diary, on_delete=models.CASCADE, primary_key=True, related_name="search_terms")
    author_id = models.BigIntegerField()
    date = models.DateField()
    terms = models.BinaryField(editable=False)

    class Meta:
        default_permissions = ()
        indexes = [
            models.Index(fields=["author_id", "date", "diary"], include=["terms"], name="diaryterms_author_walk"),
        ]

    def __str__(self) -> str:
        return f"diary {self.pk}"


class MatterSearch(models.Model):
    matter = models.OneToOneField(Matter, on_delete=models.CASCADE, primary_key=True, related_name="search_doc")
    vector = SearchVectorField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"matter {self.pk}"
