# The diaries' search rows gain a copy of their diary's author, and on PostgreSQL the vector's GIN
# index becomes a two-column one, (author_id, vector), through the btree_gin extension (trusted:
# the database's owner may create it): a cadre who reads only their own diaries then finds their
# matches inside the index (supervision.search.own_search_rows). Queries on the vector alone use
# the same index. The author is added empty, filled from the diaries in one statement (the
# vectors, stored out of line, are not rewritten), then required. SQLite's side table is always
# empty (FTS5 holds its index).

from django.db import migrations, models

FILL = """
UPDATE supervision_diarysearch SET author_id = d.author_id
FROM supervision_diary d WHERE d.id = supervision_diarysearch.diary_id
"""
PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    # A GIN index is built in memory batches of this size: the default 64 MB makes a million
    # documents' build several times slower. For this transaction only.
    "SET LOCAL maintenance_work_mem = '256MB'",
    "CREATE INDEX diarysearch_author_vector_gin ON supervision_diarysearch USING gin (author_id, vector)",
    "DROP INDEX IF EXISTS diarysearch_vector_gin",
]
PG_DOWN = [
    "CREATE INDEX diarysearch_vector_gin ON supervision_diarysearch USING gin (vector)",
    "DROP INDEX IF EXISTS diarysearch_author_vector_gin",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0022_disclosure_township_id_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="diarysearch",
            name="author_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, hints={"schema_only": True}),
        migrations.AlterField(
            model_name="diarysearch",
            name="author_id",
            field=models.BigIntegerField(),
        ),
        migrations.RunPython(_run(PG_UP), _run(PG_DOWN), hints={"schema_only": True}),
    ]
