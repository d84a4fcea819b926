"""Beat schedule of the quarterly disclosure check: 02:00 (Asia/Shanghai) on the 21st day of the
month after each quarter ends, when the quarter's last items (due the 20th) have fallen due."""

from django.db import migrations

TASK_NAME = "季度村务公开检查"


def forwards(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="21", month_of_year="1,4,7,10",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "supervision.disclosure_check_due", "crontab": crontab, "enabled": True,
                  "description": "Quarterly check of village-affairs disclosure (docs/design.md §5)."},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_duties_tracking"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
