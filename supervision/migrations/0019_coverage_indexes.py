# The coverage count's indexes (supervision.services.completeness.coverage): a household's links
# in diary order, and each diary's author and day by its id, both read without the tables.

from django.db import migrations, models

LINKS = "supervision_diary_households"


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0018_township_decision_requirements"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="diary",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)), fields=["id"], include=("author", "date"),
                name="diary_id_author_date_idx",
            ),
        ),
        # The links table is Django's own for Diary.households (no model to declare an index on).
        migrations.RunSQL(
            f"CREATE INDEX diary_households_household_diary_idx ON {LINKS} (household_id, diary_id)",
            "DROP INDEX diary_households_household_diary_idx",
        ),
    ]
