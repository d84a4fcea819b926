# The diaries' search rows gain their document's term filter (core.term_filter: a Bloom filter of
# its terms, 512 bytes, inline) and an index on (author_id, date, diary_id) that holds it: a cadre's
# search page walks their diaries by date inside that index and reads the vectors of the diaries
# that may match only (supervision.search.IndexRows._own_sql).
#
# PostgreSQL: each indexed diary's filter is computed from its stored vector's lexemes (no text is
# segmented again), in batches in id order; the vectors' GIN index is dropped meanwhile and built
# once afterwards, as 0024 does (every row is written anew, and the index would take each row's
# terms again). The new row versions are written in id order, as the diaries were. A row left
# without a filter is still found (its vector decides), only walked more slowly. At a million
# diaries: a few minutes, the table locked meanwhile; 0026 then vacuums it (the walk reads the
# index alone once the table's pages are marked all-visible).

from django.db import migrations, models

BATCH = 5000
GIN = "CREATE INDEX diarysearch_author_vector_gin ON supervision_diarysearch USING gin (author_id, vector)"


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    from core.term_filter import term_filter

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM supervision_diarysearch)")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("DROP INDEX IF EXISTS diarysearch_author_vector_gin")
        last = 0
        while True:
            cursor.execute(
                "SELECT diary_id, tsvector_to_array(vector) FROM supervision_diarysearch "
                "WHERE diary_id > %s ORDER BY diary_id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.execute(
                "UPDATE supervision_diarysearch s SET terms = f.terms "
                "FROM unnest(%s::bigint[], %s::bytea[]) AS f(diary_id, terms) WHERE s.diary_id = f.diary_id",
                [[pk for pk, _lexemes in rows], [term_filter(lexemes) for _pk, lexemes in rows]],
            )
            last = rows[-1][0]
        cursor.execute(GIN)


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0024_search_month_term"),
    ]

    operations = [
        migrations.AddField(
            model_name="diarysearch",
            name="terms",
            field=models.BinaryField(editable=False, null=True),
        ),
        # Nothing to fill after a test flush (tests/conftest.py re-runs data migrations).
        migrations.RunPython(fill, migrations.RunPython.noop, hints={"schema_only": True}),
        migrations.AddIndex(
            model_name="diarysearch",
            index=models.Index(fields=["author_id", "date", "diary"], include=("terms",), name="diarysearch_author_walk"),
        ),
    ]
