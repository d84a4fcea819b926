"""This app's API resources, registered on the one router in portal/api.py."""

from django.urls import URLPattern
from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Register this app's viewsets on the router."""
    router.register("townships", views.TownshipViewSet, basename="township")
    router.register("villages", views.VillageViewSet, basename="village")
    router.register("units", views.UnitViewSet, basename="unit")
    router.register("schools", views.SchoolViewSet, basename="school")
    router.register("cadres", views.CadreViewSet, basename="cadre")
    router.register("households", views.HouseholdViewSet, basename="household")
    router.register("assignments", views.AssignmentViewSet, basename="assignment")
    router.register("contacts", views.ContactViewSet, basename="contact")
    router.register("trainings", views.TrainingViewSet, basename="training")


# Extra (non-router) API URLs, e.g. reports, mounted under /api/v1/.
urlpatterns: list[URLPattern] = []
