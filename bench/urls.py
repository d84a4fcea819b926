"""The portal's URLs plus the bare baseline view; mounted only by bench.settings, never in production."""

from django.urls import include, path

from .views import BareView

urlpatterns = [
    path("bench/bare/", BareView.as_view(), name="bench-bare"),
    path("", include("portal.urls")),
]
