# Each indexed diary gains a row of term filters (supervision.models.DiaryTerms: a Bloom filter of
# its search document's terms, 512 bytes, core.term_filter, beside copies of its author and date)
# in an index on (author_id, date, diary_id) that holds the filter: a cadre's search page walks
# their diaries by date inside that index and reads the vectors of the diaries that may match
# only (supervision.search.IndexRows._own_sql). The services write it with the vector from now on.
#
# PostgreSQL: each indexed diary's filter is computed from its stored vector's lexemes (no text is
# segmented again), in batches in id order; the search rows themselves are not rewritten. The index
# is built once, after the rows. 0026 then vacuums the new table (the walk reads the index alone
# once the table's pages are marked all-visible).

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    from core.term_filter import term_filter

    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                "SELECT diary_id, author_id, date, tsvector_to_array(vector) FROM supervision_diarysearch "
                "WHERE diary_id > %s ORDER BY diary_id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.execute(
                "INSERT INTO supervision_diaryterms (diary_id, author_id, date, terms) "
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::bytea[]) "
                "ON CONFLICT (diary_id) DO UPDATE SET terms = EXCLUDED.terms",
                [[row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows],
                 [term_filter(row[3]) for row in rows]],
            )
            last = rows[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0024_search_month_term"),
    ]

    operations = [
        migrations.CreateModel(
            name="DiaryTerms",
            fields=[
                ("diary", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                               related_name="search_terms", serialize=False,
                                               to="supervision.diary")),
                ("author_id", models.BigIntegerField()),
                ("date", models.DateField()),
                ("terms", models.BinaryField(editable=False)),
            ],
            options={"default_permissions": ()},
        ),
        # Nothing to fill after a test flush (tests/conftest.py re-runs data migrations).
        migrations.RunPython(fill, migrations.RunPython.noop, hints={"schema_only": True}),
        migrations.AddIndex(
            model_name="diaryterms",
            index=models.Index(fields=["author_id", "date", "diary"], include=("terms",), name="diaryterms_author_walk"),
        ),
    ]
