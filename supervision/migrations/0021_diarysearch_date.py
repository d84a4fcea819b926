# The diaries' search rows gain a copy of their diary's date, and the withdrawn diaries an index of
# their own (supervision.search.township_search_rows): the date is added empty, filled from the
# diaries in one statement, then required. SQLite's side table is always empty (FTS5 holds its
# index): the statement finds nothing there.

from django.db import migrations, models

FILL = """
UPDATE supervision_diarysearch SET date = d.date
FROM supervision_diary d WHERE d.id = supervision_diarysearch.diary_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0020_township_day_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="diarysearch",
            name="date",
            field=models.DateField(null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, hints={"schema_only": True}),
        migrations.AlterField(
            model_name="diarysearch",
            name="date",
            field=models.DateField(),
        ),
        migrations.AddIndex(
            model_name="diary",
            index=models.Index(condition=models.Q(("deleted_at__isnull", False)), fields=["id"], name="diary_withdrawn_idx"),
        ),
    ]
