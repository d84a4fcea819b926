"""The security audit log: append-only, read-only in the admin, fed by refusals, exports and admin
changes, and kept at least 180 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from portal.audit import audit, audit_export
from portal.models import AuditEvent
from portal.security.middleware import SecurityAuditMiddleware
from portal.security.retention import audit_purge
from tests.helpers import assert_num_queries
from tests.portal.conftest import PASSWORD


@pytest.fixture
def office_user(db) -> User:
    user = User.objects.create_user("office", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="office")[0])
    return user


def _event(days_old: int, kind: str = AuditEvent.Kind.LOGIN) -> AuditEvent:
    return AuditEvent.objects.create(kind=kind, username=f"u{days_old}",
                                     created_at=timezone.now() - timedelta(days=days_old))


# --- append-only ------------------------------------------------------------------------------------


def test_audit_events_cannot_be_changed(db):
    event = audit(AuditEvent.Kind.LOGIN, username="zhangsan")
    event.username = "someone-else"

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).username == "zhangsan"


def test_audit_events_cannot_be_deleted_one_by_one(db):
    event = audit(AuditEvent.Kind.LOGIN, username="zhangsan")

    with pytest.raises(ValueError, match="cannot be deleted"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- the admin: read-only, for the office and superusers ----------------------------------------------


def test_superuser_sees_the_audit_log_but_cannot_add_change_or_delete(client, chief):
    event = audit(AuditEvent.Kind.LOGIN, username="zhangsan")
    client.force_login(chief)

    listing = client.get("/admin/portal/auditevent/")
    assert listing.status_code == 200
    assert "zhangsan" in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    assert client.get("/admin/portal/auditevent/add/").status_code == 403
    detail = client.get(f"/admin/portal/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.post(f"/admin/portal/auditevent/{event.pk}/change/", {"username": "x"}).status_code == 403
    assert client.get(f"/admin/portal/auditevent/{event.pk}/delete/").status_code == 403
    assert client.post(f"/admin/portal/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).username == "zhangsan"


def test_office_staff_see_the_audit_log(client, office_user):
    client.force_login(office_user)

    assert client.get("/admin/portal/auditevent/").status_code == 200
    assert client.get("/admin/portal/auditevent/add/").status_code == 403


def test_other_staff_do_not_see_the_audit_log(client, db):
    clerk = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    client.force_login(clerk)

    assert client.get("/admin/portal/auditevent/").status_code == 403


def test_the_audit_log_list_needs_a_constant_number_of_queries(client, chief):
    client.force_login(chief)
    audit(AuditEvent.Kind.LOGIN, user=chief)
    client.get("/admin/portal/auditevent/")  # warm the content-type cache
    with assert_num_queries(12, at_most=True) as one:
        client.get("/admin/portal/auditevent/")
    for _ in range(40):
        audit(AuditEvent.Kind.LOGIN, user=chief)

    with assert_num_queries(len(one.captured_queries), at_most=True):
        assert client.get("/admin/portal/auditevent/").status_code == 200


# --- what feeds the log ----------------------------------------------------------------------------


class _DenyAll(BasePermission):
    def has_permission(self, request, view):  # type: ignore[no-untyped-def]
        return False


class _DeniedApi(APIView):
    permission_classes = [_DenyAll]

    def get(self, request):  # type: ignore[no-untyped-def]
        return Response({})


def _through_middleware(view, request):  # type: ignore[no-untyped-def]
    return SecurityAuditMiddleware(view)(request)


def test_api_refusals_are_recorded_with_user_and_path(db):
    user = User.objects.create_user("zhangsan", password=PASSWORD)
    request = RequestFactory().get("/api/v1/secret/", REMOTE_ADDR="10.1.2.3")
    request.user = user

    response = _through_middleware(_DeniedApi.as_view(), request)

    assert response.status_code == 403
    event = AuditEvent.objects.get(kind="permission_denied")
    assert (event.user, event.path, event.ip_address) == (user, "/api/v1/secret/", "10.1.2.3")
    assert event.detail == {"method": "GET", "status": 403}


def test_not_found_answers_are_not_recorded(db):
    request = RequestFactory().get("/api/v1/diaries/999/")

    _through_middleware(lambda r: HttpResponseNotFound(), request)

    assert not AuditEvent.objects.exists()


def test_page_refusals_are_recorded(client, chief):
    client.force_login(chief)

    assert client.get("/admin/portal/auditevent/add/").status_code == 403

    event = AuditEvent.objects.get(kind="permission_denied")
    assert (event.username, event.path) == ("chief", "/admin/portal/auditevent/add/")


def test_csrf_failures_are_recorded(db):
    strict = Client(enforce_csrf_checks=True)

    assert strict.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403

    assert AuditEvent.objects.filter(kind="permission_denied", path="/accounts/login/").count() == 1


def test_downloads_are_recorded_as_exports(db):
    request = RequestFactory().get("/api/v1/reports/matters", {"format": "csv"})

    def view(r):  # type: ignore[no-untyped-def]
        response = HttpResponse("a,b\n", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="matters.csv"'
        return response

    _through_middleware(view, request)

    event = AuditEvent.objects.get(kind="export")
    assert event.detail == {"what": "/api/v1/reports/matters", "file": 'attachment; filename="matters.csv"'}


def test_an_export_audited_by_its_view_is_recorded_once(db):
    user = User.objects.create_user("zhangsan", password=PASSWORD)
    request = RequestFactory().get("/households/export/")
    request.user = user

    def view(r):  # type: ignore[no-untyped-def]
        audit_export(r, "households", 12)
        response = HttpResponse("x", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="households.csv"'
        return response

    _through_middleware(view, request)

    event = AuditEvent.objects.get(kind="export")
    assert event.detail == {"what": "households", "count": 12}
    assert event.user == user


def test_of_ordinary_answers_only_refusals_are_recorded(db):
    _through_middleware(lambda r: HttpResponse("ok"), RequestFactory().get("/"))
    _through_middleware(lambda r: HttpResponseForbidden(), RequestFactory().get("/x/"))

    assert list(AuditEvent.objects.values_list("kind", flat=True)) == ["permission_denied"]


def test_changes_made_in_the_admin_are_recorded(client, chief):
    client.force_login(chief)

    response = client.post("/admin/auth/group/add/", {"name": "测试组"})

    assert response.status_code == 302
    event = AuditEvent.objects.get(kind="admin_action")
    assert (event.username, event.path) == ("chief", "/admin/auth/group/add/")


def test_admin_log_in_itself_is_not_an_admin_action(client, chief):
    client.post("/admin/login/", {"username": "chief", "password": PASSWORD, "next": "/admin/"})

    assert list(AuditEvent.objects.values_list("kind", flat=True)) == ["login"]


# --- retention ----------------------------------------------------------------------------------------


def test_purge_keeps_everything_younger_than_the_retention_period(db, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    young = [_event(days) for days in (0, 100, 179)]
    for days in (181, 400):
        _event(days)

    deleted, _cutoff = audit_purge()

    assert deleted == 2
    survivors = set(AuditEvent.objects.exclude(kind="admin_action").values_list("pk", flat=True))
    assert survivors == {e.pk for e in young}
    assert AuditEvent.objects.get(detail__action="audit_purge").detail["deleted"] == 2


def test_default_retention_is_a_year(db):
    kept = _event(300)
    _event(366)

    deleted, _cutoff = audit_purge()

    assert deleted == 1
    assert AuditEvent.objects.filter(pk=kept.pk).exists()


@pytest.mark.parametrize("days", [0, 30, 179])
def test_purge_refuses_a_retention_shorter_than_180_days(db, days):
    old = _event(200)

    with pytest.raises(DomainError, match="至少保留180天"):
        audit_purge(days=days)

    assert AuditEvent.objects.filter(pk=old.pk).exists()


def test_a_too_short_retention_setting_fails_the_system_checks(settings):
    settings.AUDIT_RETENTION_DAYS = 90

    errors = [e for e in run_checks() if e.id == "portal.E010"]

    assert len(errors) == 1


def test_purge_audit_command(db, capsys):
    _event(500)
    _event(10)

    call_command("purge_audit")

    assert "已删除 1 条" in capsys.readouterr().out
    with pytest.raises(CommandError, match="至少保留180天"):
        call_command("purge_audit", "--days", "100")
    assert AuditEvent.objects.filter(username="u10").exists()


def test_purge_task_runs_the_same_purge_and_twice_is_harmless(db):
    from portal.tasks import purge_audit

    _event(500)
    _event(10)

    assert purge_audit.delay().get() == 1
    assert purge_audit.delay().get() == 0
    assert AuditEvent.objects.filter(username="u10").exists()


def test_the_purge_is_scheduled_daily(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="portal.purge_audit")

    assert task.enabled
    assert task.crontab is not None and task.crontab.hour == "3" and task.crontab.minute == "30"
