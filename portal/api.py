"""The API's one router (docs/design.md §6): every app registers its resources here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from bulletins.api import routes as bulletin_routes
from cadres.api import routes as cadre_routes
from supervision.api import routes as supervision_routes

from . import api_views

router = DefaultRouter(trailing_slash=True)
for module in (cadre_routes, supervision_routes, bulletin_routes):
    module.register(router)

urlpatterns = [
    path("auth/token/", api_views.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/revoke/", api_views.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("me/", api_views.MeView.as_view(), name="api-me"),
    path("tombstones/", api_views.TombstonesView.as_view(), name="api-tombstones"),
    *cadre_routes.urlpatterns,
    *supervision_routes.urlpatterns,
    *bulletin_routes.urlpatterns,
    *router.urls,
]
