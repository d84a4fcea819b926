"""The supervision app's API resources, registered on the one router in portal/api.py."""

from django.urls import URLPattern, re_path
from rest_framework.routers import DefaultRouter

from .agenda import AgendaItemViewSet
from .diaries import DiaryViewSet
from .disclosures import DisclosureCheckViewSet, DisclosureViewSet
from .inspections import InspectionViewSet
from .matters import MatterViewSet
from .plans import PlanMilestoneViewSet, PlanViewSet
from .pledges import PledgeViewSet
from .problem_groups import ProblemGroupList
from .reports.county import CountySummaryReport
from .reports.diaries import DiaryCompletenessReport
from .reports.diaries_export import DiaryExport
from .reports.disclosures import DisclosureReport
from .reports.matters import MatterReport
from .reports.pledges import PledgeReport


def register(router: DefaultRouter) -> None:
    router.register("diaries", DiaryViewSet, basename="diary")
    router.register("matters", MatterViewSet, basename="matter")
    router.register("pledges", PledgeViewSet, basename="pledge")
    router.register("disclosures", DisclosureViewSet, basename="disclosure")
    router.register("disclosure-checks", DisclosureCheckViewSet, basename="disclosure-check")
    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("plans", PlanViewSet, basename="plan")
    router.register("plan-milestones", PlanMilestoneViewSet, basename="plan-milestone")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")


# Both with and without the trailing slash: docs/design.md §6 writes them without.
urlpatterns: list[URLPattern] = [
    re_path(r"^reports/diary-completeness/?$", DiaryCompletenessReport.as_view(), name="report-diary-completeness"),
    re_path(r"^reports/matters/?$", MatterReport.as_view(), name="report-matters"),
    re_path(r"^reports/pledges/?$", PledgeReport.as_view(), name="report-pledges"),
    re_path(r"^reports/disclosure/?$", DisclosureReport.as_view(), name="report-disclosure"),
    re_path(r"^reports/diaries/?$", DiaryExport.as_view(), name="report-diaries"),
    re_path(r"^county-summary/?$", CountySummaryReport.as_view(), name="county-summary"),
    re_path(r"^problem-groups/?$", ProblemGroupList.as_view(), name="problem-group-list"),
]
