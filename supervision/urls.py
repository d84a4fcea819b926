"""Staff pages of the supervision app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.views import coming_soon

urlpatterns = [
    path("diaries/", coming_soon(_("民情日记")), name="diaries"),
    path("matters/", coming_soon(_("问题台账")), name="matters"),
    path("pledges/", coming_soon(_("目标责任书")), name="pledges"),
    path("disclosures/", coming_soon(_("公开事项")), name="disclosures"),
    path("inspections/", coming_soon(_("督查")), name="inspections"),
]
