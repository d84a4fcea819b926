"""Staff pages of the duties: pledges, disclosures and their quarterly checks, inspections."""

from django.urls import path

from supervision.views import disclosure_run, disclosures, inspections, pledges

urlpatterns = [
    path("pledges/", pledges.pledge_index, name="pledges"),
    path("pledges/issue/", pledges.pledge_issue_view, name="pledge-issue"),
    path("pledges/<int:pk>/", pledges.pledge_detail_view, name="pledge-show"),
    path("pledges/<int:pk>/sign/", pledges.pledge_sign_view, name="pledge-sign"),
    path("pledges/<int:pk>/countersign/", pledges.pledge_countersign_view, name="pledge-countersign"),
    path("pledges/<int:pk>/progress/", pledges.pledge_progress_view, name="pledge-progress"),
    path("pledges/<int:pk>/scan/", pledges.pledge_scan_view, name="pledge-scan"),
    path("pledges/<int:pk>/assess/", pledges.pledge_assess_view, name="pledge-assess"),
    path("pledges/<int:pk>/print/", pledges.pledge_print_view, name="pledge-print"),
    path("pledges/<int:pk>/pdf/", pledges.pledge_pdf_view, name="pledge-pdf"),
    path("disclosures/", disclosures.disclosure_index, name="disclosures"),
    path("disclosures/new/", disclosures.disclosure_new, name="disclosure-new"),
    path("disclosures/<int:pk>/", disclosures.disclosure_detail_view, name="disclosure-show"),
    path("disclosures/<int:pk>/photo/", disclosures.disclosure_photo, name="disclosure-photo"),
    path("disclosures/checks/", disclosures.check_index, name="disclosure-checks"),
    path("disclosures/checks/run/", disclosure_run.disclosure_check_run_view, name="disclosure-check-run"),
    path("disclosures/checks/<int:pk>/", disclosures.check_detail_view, name="disclosure-check-show"),
    path("disclosures/checks/<int:pk>/review/", disclosures.check_review_view, name="disclosure-check-review"),
    path("disclosures/checks/items/<int:pk>/adjust/", disclosures.item_adjust_view, name="disclosure-item-adjust"),
    path("inspections/", inspections.inspection_index, name="inspections"),
    path("inspections/new/", inspections.inspection_new, name="inspection-new"),
    path("inspections/<int:pk>/", inspections.inspection_detail_view, name="inspection-show"),
    path("inspections/<int:pk>/findings/", inspections.finding_add_view, name="inspection-finding-add"),
    path("inspections/<int:pk>/publish/", inspections.inspection_publish_view, name="inspection-publish"),
    path("inspections/<int:pk>/close/", inspections.inspection_close_view, name="inspection-close"),
    path("inspections/findings/<int:pk>/rectification/", inspections.finding_rectification_view,
         name="inspection-finding-rectification"),
    path("inspections/findings/<int:pk>/matter/", inspections.finding_matter_view, name="inspection-finding-matter"),
]
