"""Daily at 03:30 Asia/Shanghai: delete security audit events older than AUDIT_RETENTION_DAYS
(never younger than 180 days). An ordinary django-celery-beat row, editable in the admin."""

import json

from django.db import migrations

TASK_NAME = "portal.purge_audit"
SCHEDULE_NAME = "安全审计日志：删除超过保存期限的记录"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "task": TASK_NAME,
            "crontab": crontab,
            "args": json.dumps([]),
            "kwargs": json.dumps({}),
            "enabled": True,
            "description": "每天03:30删除早于 AUDIT_RETENTION_DAYS（默认365天，不少于180天）的安全审计日志。",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SCHEDULE_NAME, task=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_api_keys"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
