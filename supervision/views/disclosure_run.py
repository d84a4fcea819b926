"""/disclosures/checks/run/: the office runs a quarter's disclosure check from its own pages (no
admin access needed) and follows the job on /jobs/<pk>/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cadres.roles import actor_for
from core.errors import DomainError
from supervision.forms.disclosures import QuarterRunForm
from supervision.quarters import last_due_quarter, parse_quarter
from supervision.services.check_jobs import disclosure_check_start, may_run_check, quarter_check_ready


@login_required
def disclosure_check_run_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not may_run_check(actor):
        raise Http404
    due = last_due_quarter()
    form = QuarterRunForm(request.POST or None, initial={"quarter": str(due)})
    if request.method == "POST" and form.is_valid():
        try:
            quarter = parse_quarter(form.cleaned_data["quarter"])  # 2026Q7 is refused here, in Chinese
            quarter_check_ready(quarter)
        except DomainError as exc:
            form.add_error("quarter", exc.message)
        else:
            job = disclosure_check_start(quarter=quarter, township_id=actor.township_id, actor=actor_for(request.user))
            return redirect("job", pk=job.pk)
    return render(request, "supervision/disclosures/run.html", {"form": form, "due_quarter": due},
                  status=400 if form.errors else 200)
