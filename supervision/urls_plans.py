"""Staff pages of the village development plans (帮村发展规划)."""

from django.urls import path

from supervision.views import plans

urlpatterns = [
    path("plans/", plans.plan_index, name="plans"),
    path("plans/new/", plans.plan_new, name="plan-new"),
    path("plans/<int:pk>/", plans.plan_detail_view, name="plan-show"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/print/", plans.plan_print_view, name="plan-print"),
    path("plans/<int:pk>/pdf/", plans.plan_pdf_view, name="plan-pdf"),
    path("plans/<int:pk>/<slug:name>/", plans.plan_action, name="plan-action"),
    path("plans/milestones/<int:pk>/done/", plans.milestone_done_view, name="plan-page-milestone-done"),
    path("plans/milestones/<int:pk>/evidence/", plans.milestone_evidence, name="plan-page-milestone-evidence"),
    path("plans/goals/<int:pk>/achieved/", plans.goal_achieved_view, name="plan-page-goal-achieved"),
]
