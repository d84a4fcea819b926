# A diary's search document gains its township's month as one term (supervision.search.month_term):
# a township's search page asks the GIN index for the page's months first. Every indexed diary
# gains the term here.
#
# PostgreSQL: appended to each stored vector in SQL (`||` shifts the term's position past the
# vector's last, as if it ended the document), without segmenting any text again; the GIN index is
# dropped first and built once afterwards (updating it row by row would insert every term of every
# diary again). The update writes every row anew in the join's order, so the table is then
# rewritten in the diaries' order (CLUSTER on its key): the index's matches of a township's recent
# months lie together, as rows written day by day do; scattered, each skip of the index's
# intersection decoded another page of a common word's postings (a page of a leader's search at a
# million diaries: 9.7 ms instead of 1). At a million diaries: ~5 min, the table locked meanwhile.
# SQLite (`make run`): its FTS5 rows are few, indexed again by the app's indexer.

from django.db import migrations

PG_APPEND = """
UPDATE supervision_diarysearch s
SET vector = s.vector || to_tsvector('simple', 'zzt' || d.township_id || 'm' || to_char(s.date, 'YYYYMM'))
FROM supervision_diary d WHERE d.id = s.diary_id
"""
PG_REMOVE = """
UPDATE supervision_diarysearch s
SET vector = ts_delete(s.vector, 'zzt' || d.township_id || 'm' || to_char(s.date, 'YYYYMM'))
FROM supervision_diary d WHERE d.id = s.diary_id
"""
INDEX = "CREATE INDEX diarysearch_author_vector_gin ON supervision_diarysearch USING gin (author_id, vector)"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        _rewrite(schema_editor, PG_APPEND)
    else:
        _sqlite_reindex()


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    # SQLite's documents keep the term: the code before this migration never asks for it.
    if schema_editor.connection.vendor == "postgresql":
        _rewrite(schema_editor, PG_REMOVE)


def _rewrite(schema_editor, update):  # type: ignore[no-untyped-def]
    """`update` every indexed diary's vector, the GIN index dropped meanwhile, then the table
    rewritten in the diaries' order and the index built once."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM supervision_diarysearch)")
        if not cursor.fetchone()[0]:
            return
    for sql in ("SET LOCAL maintenance_work_mem = '256MB'",
                "DROP INDEX IF EXISTS diarysearch_author_vector_gin", update,
                "CLUSTER supervision_diarysearch USING supervision_diarysearch_pkey", INDEX,
                "ANALYZE supervision_diarysearch"):
        schema_editor.execute(sql)


def _sqlite_reindex() -> None:
    # The app's own indexer (not the historical models): the document format is the code's.
    from supervision.models import Diary
    from supervision.search import DIARY_INDEX, reindex_all

    if not DIARY_INDEX.is_empty():
        reindex_all(Diary.objects.all())


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0023_diarysearch_author"),
    ]

    operations = [
        # Nothing to re-create after a test flush (tests/conftest.py re-runs data migrations).
        migrations.RunPython(forward, backward, hints={"schema_only": True}),
    ]
