# The notification inbox and job runs moved here from the portal app with their tables
# (portal_notification, portal_jobrun) as they were: only Django's record of them changes.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ["jobrun", "notification"]


def move_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="portal", model__in=MOVED).update(app_label="core")


def unmove_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="core", model__in=MOVED).update(app_label="portal")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
        ('portal', '0003_audit_retention_schedule'),
    ]

    operations = [
      migrations.SeparateDatabaseAndState(
        database_operations=[
            # Permissions and admin history keep pointing at the same content types.
            migrations.RunPython(move_content_types, unmove_content_types),
        ],
        state_operations=[
        migrations.CreateModel(
            name='JobRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='任务')),
                ('params', models.JSONField(blank=True, default=dict, verbose_name='参数')),
                ('status', models.CharField(choices=[('pending', '排队中'), ('running', '运行中'), ('succeeded', '已完成'), ('failed', '失败')], default='pending', max_length=16, verbose_name='状态')),
                ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='进度（%）')),
                ('message', models.TextField(blank=True, verbose_name='结果')),
                ('result_url', models.CharField(blank=True, max_length=300, verbose_name='结果链接')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='创建时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
            ],
            options={
                'verbose_name': '后台任务',
                'verbose_name_plural': '后台任务',
                'db_table': 'portal_jobrun',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=32, verbose_name='类型')),
                ('title', models.CharField(max_length=200, verbose_name='标题')),
                ('body', models.TextField(blank=True, verbose_name='内容')),
                ('url', models.CharField(blank=True, max_length=300, verbose_name='链接')),
                ('dedupe_key', models.CharField(blank=True, max_length=200, verbose_name='去重键')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='已读时间')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='接收人')),
            ],
            options={
                'verbose_name': '通知',
                'verbose_name_plural': '通知',
                'db_table': 'portal_notification',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['recipient', 'read_at'], name='notification_unread_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('dedupe_key', ''), _negated=True), fields=('recipient', 'dedupe_key'), name='notification_once_per_key')],
            },
        ),
            ],
      ),
    ]
