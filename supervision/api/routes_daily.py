"""API resources of the daily loop: diaries, matters and their reports."""

from django.urls import URLPattern, re_path
from rest_framework.routers import DefaultRouter

from .diaries import DiaryViewSet
from .matters import MatterViewSet
from .reports_daily import DiaryCompletenessReport, MatterReport


def register(router: DefaultRouter) -> None:
    router.register("diaries", DiaryViewSet, basename="diary")
    router.register("matters", MatterViewSet, basename="matter")


# Both with and without the trailing slash: DESIGN.md §6 writes them without.
urlpatterns: list[URLPattern] = [
    re_path(r"^reports/diary-completeness/?$", DiaryCompletenessReport.as_view(), name="report-diary-completeness"),
    re_path(r"^reports/matters/?$", MatterReport.as_view(), name="report-matters"),
]
