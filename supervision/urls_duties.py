from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.views import coming_soon

urlpatterns = [
    path("pledges/", coming_soon(_("目标责任书")), name="pledges"),
    path("disclosures/", coming_soon(_("公开事项")), name="disclosures"),
    path("inspections/", coming_soon(_("督查")), name="inspections"),
]
