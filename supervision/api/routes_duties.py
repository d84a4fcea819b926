from django.urls import URLPattern
from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Register viewsets on the one router."""


urlpatterns: list[URLPattern] = []
