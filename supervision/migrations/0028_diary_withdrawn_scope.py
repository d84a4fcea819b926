# The withdrawn diaries a search page leaves out, indexed by township and author: a township's
# page reads its own few (~50 at a million diaries), a cadre's page theirs, instead of the
# county's ~1,000 hashed on every page (supervision.search.IndexRows._withdrawn_sql).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cadres", "0007_assessment_notice"),
        ("supervision", "0027_diary_months"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="diary",
            name="diary_withdrawn_idx",
        ),
        migrations.AddIndex(
            model_name="diary",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", False)), fields=["township", "author", "id"],
                name="diary_withdrawn_scope_idx",
            ),
        ),
    ]
