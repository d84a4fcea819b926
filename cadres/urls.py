"""Staff pages of the cadres app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.views import coming_soon

urlpatterns = [
    path("households/", coming_soon(_("联系户")), name="households"),
]
