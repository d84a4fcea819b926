# The search documents gain their township's term (supervision.search.scope_term): every indexed
# diary and matter is indexed again, in batches, so a township's search finds the rows written
# before this migration too.

from django.db import migrations


def reindex(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The app's own indexer (not the historical models): the document format is the code's.
    from supervision.models import Diary, Matter
    from supervision.search import DIARY_INDEX, MATTER_INDEX, reindex_all

    # Documents only: the diaries' copied date column comes with 0021, which fills them.
    if not DIARY_INDEX.is_empty():
        reindex_all(Diary.objects.all(), documents_only=True)
    if not MATTER_INDEX.is_empty():
        reindex_all(Matter.objects.all(), documents_only=True)


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0016_agenda_item_updated_at'),
    ]

    operations = [
        # Nothing to re-create after a test flush (tests/conftest.py re-runs data migrations).
        migrations.RunPython(reindex, migrations.RunPython.noop, hints={"schema_only": True}),
    ]
