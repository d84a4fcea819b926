"""Staff pages of the cadres app."""

from django.urls import path

from . import views, views_accounts, views_import, views_trainings

urlpatterns = [
    path("households/import/", views_import.import_page, {"kind": "households"}, name="household-import"),
    path("households/import/template.xlsx", views_import.import_template, {"kind": "households"},
         name="household-import-template"),
    path("cadres/tree/", views.tree, name="cadre-tree"),
    path("trainings/", views_trainings.trainings, name="trainings"),
    path("trainings/<int:pk>/attendance/", views_trainings.attendance, name="training-attendance"),
    path("cadres/logins/", views_accounts.logins, name="cadre-logins"),
    path("cadres/logins/handout/", views_accounts.handout, name="cadre-login-handout"),
    path("cadres/import/", views_import.import_page, {"kind": "cadres"}, name="cadre-import"),
    path("cadres/import/template.xlsx", views_import.import_template, {"kind": "cadres"},
         name="cadre-import-template"),
]
