from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.views import coming_soon

urlpatterns = [
    path("diaries/", coming_soon(_("民情日记")), name="diaries"),
    path("matters/", coming_soon(_("问题台账")), name="matters"),
]
