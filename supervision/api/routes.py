"""The supervision app's API resources, registered on the one router in portal/api.py."""

from django.urls import URLPattern
from rest_framework.routers import DefaultRouter

from . import routes_daily, routes_duties
from .plans import PlanMilestoneViewSet, PlanViewSet


def register(router: DefaultRouter) -> None:
    routes_daily.register(router)
    routes_duties.register(router)
    router.register("plans", PlanViewSet, basename="plan")
    router.register("plan-milestones", PlanMilestoneViewSet, basename="plan-milestone")


urlpatterns: list[URLPattern] = [*routes_daily.urlpatterns, *routes_duties.urlpatterns]
