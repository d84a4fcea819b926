"""A households import started from the office's page, run by a real Celery worker (Redis broker,
PostgreSQL): the upload waits in the shared storage, the worker imports it, the JobRun carries the
counts, and the file is deleted. A file with a bad row imports nothing."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cadres.models import Household
from core.models import JobRun
from portal.settings.base import VAR_DIR
from tests.spreadsheets import XLSX_MIME, xlsx

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]



HEADERS = ["村", "户主姓名", "家庭人口"]


def test_the_worker_imports_a_page_started_file_all_or_nothing(world, settings, celery_worker):
    # the worker (portal.settings.test) and this process must keep uploads in the same place
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "test-media")}}}
    client = Client()
    client.force_login(world.office.user)
    before = Household.objects.count()

    # a good file: two households
    client.post("/households/import/", {"file": SimpleUploadedFile(
        "农户.xlsx", xlsx(HEADERS, [["东河村", "工人甲", 3], ["南沟村", "工人乙", 2]]), content_type=XLSX_MIME)})
    job = JobRun.objects.get()
    path = job.params["file"]
    wait_for(lambda: JobRun.objects.filter(pk=job.pk, status=JobRun.Status.SUCCEEDED).exists(), timeout=90)

    job.refresh_from_db()
    assert (job.progress, job.params["result"], job.message) == (100, {"created": 2, "updated": 0},
                                                                "导入完成：新增2条，更新0条。")
    assert Household.objects.count() == before + 2
    assert not default_storage.exists(path)
    assert "cadres.import_table" in celery_worker.log()

    # a file with a bad third line: nothing of it is imported
    client.post("/households/import/", {"file": SimpleUploadedFile(
        "有错.xlsx", xlsx(HEADERS, [["东河村", "工人丙", 3], ["东河村", "工人丁", 99]]), content_type=XLSX_MIME)})
    bad = JobRun.objects.exclude(pk=job.pk).get()
    wait_for(lambda: JobRun.objects.filter(pk=bad.pk, status=JobRun.Status.FAILED).exists(), timeout=90)

    bad.refresh_from_db()
    assert [(e["line"], e["column"], e["message"]) for e in bad.params["result"]["errors"]] == [
        (3, "家庭人口", "家庭人口应为1到30之间的整数。")]
    assert Household.objects.count() == before + 2
    assert not Household.objects.filter(head_name__in=["工人丙", "工人丁"]).exists()
