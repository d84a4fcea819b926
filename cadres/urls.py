"""Staff pages of the cadres app."""

from django.urls import path

from . import views

urlpatterns = [
    path("households/", views.households, name="households"),
    path("cadres/tree/", views.tree, name="cadre-tree"),
]
