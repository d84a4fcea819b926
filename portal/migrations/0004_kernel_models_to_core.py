# The notification inbox and job runs now belong to the kernel (core); their tables stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0003_audit_retention_schedule"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="notification", name="recipient"),
                migrations.DeleteModel(name="JobRun"),
                migrations.DeleteModel(name="Notification"),
            ],
        ),
    ]
