# One township's diaries of a period with their authors, read from the index alone: the dashboard's
# eight weeks of completeness (supervision.services.completeness.daily_totals).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cadres", "0007_assessment_notice"),
        ("supervision", "0019_coverage_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="diary",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)), fields=["township", "date"], include=("author",),
                name="diary_township_day_idx",
            ),
        ),
    ]
