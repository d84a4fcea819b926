from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import accounts, pwa, views, views_jobs
from .security import otp

admin.site.site_header = _("干部作风建设监督平台 · 管理后台")
admin.site.site_title = _("作风监督平台管理")
admin.site.index_title = _("党政办管理")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("county/townships/<int:pk>/", views.county_township, name="county-township"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PortalPasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/otp/", otp.otp_verify, name="portal-otp-verify"),
    path("accounts/otp/setup/", otp.otp_setup, name="portal-otp-setup"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("notifications/read/", views.notifications_read_all, name="notifications-read-all"),
    path("jobs/<int:pk>/", views_jobs.job_status, name="job"),
    path("jobs/<int:pk>/download/", views_jobs.job_download, name="job-download"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("cadres.urls")),
    path("", include("supervision.urls")),
    path("", include("bulletins.urls")),
]
