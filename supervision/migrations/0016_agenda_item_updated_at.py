# Agenda items are a synced resource of the API (/api/v1/agenda-items/): they carry the indexed stamp.

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Each stored version's copy gets the time of that version (as in 0010_updated_at)."""
    history = apps.get_model("supervision", "historicalagendaitem")
    history._base_manager.using(schema_editor.connection.alias).update(updated_at=F("history_date"))


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0015_problem_groups'),
    ]

    operations = [
        migrations.AddField(
            model_name='agendaitem',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now, verbose_name='更新时间'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicalagendaitem',
            name='updated_at',
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, editable=False, verbose_name='更新时间'),
            preserve_default=False,
        ),
        # Nothing to re-create after a test flush (tests/conftest.py re-runs data migrations).
        migrations.RunPython(backfill, migrations.RunPython.noop, hints={"schema_only": True}),
    ]
