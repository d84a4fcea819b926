"""The monthly bulletin draft (docs/design.md §5): on the 1st at 03:00 Asia/Shanghai, compile the
previous month. The schedule is an ordinary django-celery-beat row, so the office can change or
pause it in the admin ("configurable") without a deployment."""

import json

from django.db import migrations

TASK_NAME = "bulletins.compile_monthly"
SCHEDULE_NAME = "作风建设简报：每月汇总上月草稿"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_month="1", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "task": TASK_NAME,
            "crontab": crontab,
            "args": json.dumps([]),
            "kwargs": json.dumps({}),
            "enabled": True,
            "description": "每月1日03:00（北京时间）为每个乡镇汇总上一个月的简报草稿；重复运行只更新草稿。",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SCHEDULE_NAME, task=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0002_editor_flags"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
