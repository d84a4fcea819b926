"""Staff pages of the bulletins app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.views import coming_soon

urlpatterns = [
    path("bulletins/", coming_soon(_("作风建设简报")), name="bulletins"),
]
