"""Pages of the daily loop: diaries, ideas on the agenda, matters."""

from django.urls import path

from .views import diaries, households, matters

urlpatterns = [
    path("households/", households.households, name="households"),
    path("diaries/", diaries.diary_index, name="diaries"),
    path("diaries/new/", diaries.diary_new, name="diary-new"),
    path("diaries/agenda/", diaries.agenda_index, name="agenda"),
    path("diaries/agenda/<int:pk>/decide/", diaries.agenda_decide, name="agenda-decide"),
    path("diaries/<int:pk>/", diaries.diary_detail, name="diary-show"),
    path("diaries/<int:pk>/edit/", diaries.diary_edit, name="diary-edit"),
    path("diaries/<int:pk>/comment/", diaries.diary_comment, name="diary-comment"),
    path("diaries/<int:pk>/adopt/", diaries.diary_adopt, name="diary-adopt"),
    path("diaries/<int:pk>/raise-matter/", diaries.diary_raise_matter, name="diary-raise"),
    path("matters/", matters.matter_index, name="matters"),
    path("matters/new/", matters.matter_new, name="matter-new"),
    path("matters/<int:pk>/", matters.matter_detail, name="matter-show"),
    path("matters/<int:pk>/evidence/", matters.matter_evidence, name="matter-evidence"),
    path("matters/<int:pk>/<slug:action>/", matters.matter_action, name="matter-action"),
]
