"""Beat schedule of the daily job (docs/design.md §5): 07:30 Asia/Shanghai, escalation of overdue
matters (督办) and reminders to cadres whose diary duty is behind."""

from django.db import migrations

TASK_NAME = "每日台账督办与日记提醒"


def forwards(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="30", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "supervision.daily", "crontab": crontab, "enabled": True,
                  "description": "Daily 07:30: escalate overdue matters, remind cadres of missed diaries (docs/design.md §5)."},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_disclosure_check_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
