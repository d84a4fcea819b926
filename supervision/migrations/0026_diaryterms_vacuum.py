# After 0025 filled the diaries' term filters: VACUUM marks the table's pages all-visible (a
# cadre's search walks the index on (author, date, id) without visiting the table only on such
# pages) and ANALYZE renews the statistics. VACUUM cannot run inside a transaction, hence a
# migration of its own that is not atomic. Autovacuum would do the same, later.

from django.db import migrations


def vacuum(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) supervision_diaryterms")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("supervision", "0025_diaryterms"),
    ]

    operations = [
        migrations.RunPython(vacuum, migrations.RunPython.noop, hints={"schema_only": True}),
    ]
