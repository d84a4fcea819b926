"""Staff pages of the bulletins app (docs/design.md §6: /bulletins/)."""

from django.urls import path, re_path

from . import views, views_county

urlpatterns = [
    path("bulletins/", views.archive, name="bulletins"),
    path("bulletins/compile/", views.compile_start, name="bulletin-compile"),
    path("bulletins/jobs/<int:pk>/", views.job_status, name="bulletin-job"),
    path("bulletins/<int:pk>/", views.detail, name="bulletin-detail"),
    path("bulletins/<int:pk>/edit/", views.edit, name="bulletin-edit"),
    path("bulletins/<int:pk>/approve/", views.approve, name="bulletin-approve"),
    path("bulletins/<int:pk>/publish/", views.publish, name="bulletin-publish"),
    re_path(r"^bulletins/(?P<pk>[0-9]+)/(?P<fmt>pdf|xlsx|docx)/$", views.download, name="bulletin-download"),
    path("county/bulletins/", views_county.county_bulletins, name="county-bulletins"),
    path("county/bulletins/<int:pk>/", views_county.county_bulletin, name="county-bulletin"),
    re_path(r"^county/bulletins/(?P<pk>[0-9]+)/(?P<step>approve|publish)/$", views_county.county_bulletin_step,
            name="county-bulletin-step"),
    path("county/bulletins/<int:pk>/pdf/", views_county.county_bulletin_download, name="county-bulletin-pdf"),
]
