"""The supervision app's API resources, registered on the one router in portal/api.py."""

from django.urls import URLPattern
from rest_framework.routers import DefaultRouter

from . import routes_daily, routes_duties


def register(router: DefaultRouter) -> None:
    routes_daily.register(router)
    routes_duties.register(router)


urlpatterns: list[URLPattern] = [*routes_daily.urlpatterns, *routes_duties.urlpatterns]
