"""Staff pages of the supervision app: the daily loop and the duties."""

from django.urls import include, path

urlpatterns = [
    path("", include("supervision.urls_daily")),
    path("", include("supervision.urls_duties")),
    path("", include("supervision.urls_plans")),
]
