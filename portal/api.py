"""The API's one router (DESIGN.md §6): every resource of every app is registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api_views

router = DefaultRouter(trailing_slash=True)

urlpatterns = [
    path("auth/token/", api_views.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/revoke/", api_views.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("me/", api_views.MeView.as_view(), name="api-me"),
    *router.urls,
]
