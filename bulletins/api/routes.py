"""This app's API resources, registered on the one router in portal/api.py."""

from django.urls import URLPattern
from rest_framework.routers import DefaultRouter

from .views import BulletinViewSet


def register(router: DefaultRouter) -> None:
    """Register this app's viewsets on the router."""
    router.register("bulletins", BulletinViewSet, basename="bulletin")


# Extra (non-router) API URLs, e.g. reports, mounted under /api/v1/.
urlpatterns: list[URLPattern] = []
