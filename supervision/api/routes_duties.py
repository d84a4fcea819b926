"""API resources of the duties: pledges, disclosures, disclosure checks, inspections, reports."""

from django.urls import URLPattern, re_path
from rest_framework.routers import DefaultRouter

from .disclosures import DisclosureCheckViewSet, DisclosureViewSet
from .inspections import InspectionViewSet
from .pledges import PledgeViewSet
from .reports_duties import DisclosureReport, PledgeReport


def register(router: DefaultRouter) -> None:
    router.register("pledges", PledgeViewSet, basename="pledge")
    router.register("disclosures", DisclosureViewSet, basename="disclosure")
    router.register("disclosure-checks", DisclosureCheckViewSet, basename="disclosure-check")
    router.register("inspections", InspectionViewSet, basename="inspection")


# Both with and without the trailing slash: DESIGN.md §6 writes them without.
urlpatterns: list[URLPattern] = [
    re_path(r"^reports/pledges/?$", PledgeReport.as_view(), name="report-pledges"),
    re_path(r"^reports/disclosure/?$", DisclosureReport.as_view(), name="report-disclosure"),
]
