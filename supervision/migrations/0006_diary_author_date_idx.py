"""A cadre's own diary feed reads its newest page from an index instead of sorting all of it.

The index alone is not enough: PostgreSQL assumes author and township are independent, so
"author = me AND township = mine" looks 20 times rarer than it is, and the planner sorts the
cadre's whole history rather than walk the index. Dependency statistics tell it that a diary's
author (and village) decide its township. PostgreSQL only; elsewhere the statistics are skipped.
"""

from django.db import migrations, models

STATISTICS = "diary_place_dependencies"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies) "
            "ON author_id, village_id, township_id FROM supervision_diary"
        )
        schema_editor.execute("ANALYZE supervision_diary")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0003_constraint_messages"),
        ("supervision", "0005_daily_job_schedule"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="diary",
            index=models.Index(fields=["author", "-date", "-id"], name="diary_author_date_idx"),
        ),
        # schema_only: tests/conftest.py re-runs data migrations after a flush, but not this.
        migrations.RunPython(create_statistics, drop_statistics, hints={"schema_only": True}),
    ]
