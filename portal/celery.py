"""The portal's Celery application; tasks are discovered in every installed app."""

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def _jobs_statement_timeout(**_kwargs: object) -> None:
    """Jobs run longer statements than web requests: their own limit (STATEMENT_TIMEOUT_JOBS), set
    in the main process (inherited by a prefork pool, used by a solo one) and again in each child."""
    from django.conf import settings

    from portal.db import apply_statement_timeout

    apply_statement_timeout(settings.STATEMENT_TIMEOUT_JOBS)
