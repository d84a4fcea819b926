"""The pledge pages people use: issuing, progress, the scan, assessment, the dashboard panels."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cadres.roles import actor_for
from supervision.dashboard import pledges_disclosures as dashboard_duties
from supervision.models import Pledge, TargetProgress
from supervision.selectors.pledges import my_pledges
from supervision.services import pledges as svc
from tests import factories as f
from tests.helpers import assert_num_queries

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def issue(world, pledgers=None, level="village"):
    template = f.pledge_template(world.township, level)
    return svc.pledge_issue_from_template(template=template, pledgers=pledgers or [world.v1], actor=actor_for(world.office.user))


def in_force(world):
    [pledge] = issue(world)
    svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    return svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))


def test_the_office_issues_a_templates_pledges_from_the_page(world, client):
    template = f.pledge_template(world.township, "village")
    client.force_login(world.office.user)
    page = client.get(f"/pledges/issue/?template={template.pk}").content.decode()
    assert "东河村" in page and "光明路村" in page and "西山村" not in page
    response = client.post("/pledges/issue/", {"template": template.pk, "pledgers": [world.v1.pk, world.v3.pk],
                                               "bonus_cap": "8", "issue": "on"})
    assert response.status_code == 302
    pledges = Pledge.objects.order_by("pledger_village__code")
    assert [(p.pledger_village, p.status, p.bonus_cap) for p in pledges] == [
        (world.v1, "issued", Decimal("8.0")), (world.v3, "issued", Decimal("8.0"))]
    # Those who have this year's pledge are no longer offered.
    assert "东河村" not in client.get(f"/pledges/issue/?template={template.pk}").content.decode()


def test_issuing_with_bad_points_shows_the_reason_and_creates_nothing(world, client):
    template = f.pledge_template(world.township, "village", base=(50, 40))
    client.force_login(world.office.user)
    response = client.post("/pledges/issue/", {"template": template.pk, "pledgers": [world.v1.pk], "bonus_cap": "10",
                                               "issue": "on"})
    assert response.status_code == 400
    assert "基础目标分值合计应为100分，现为90分" in response.content.decode()
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("who", ["cadre1", "secretary", "village1", "reporter"])
def test_only_the_office_reaches_the_issue_page(world, client, who):
    template = f.pledge_template(world.township, "village")
    client.force_login(world.users[who])
    assert client.get("/pledges/issue/").status_code == 404
    assert client.post("/pledges/issue/", {"template": template.pk, "pledgers": [world.v1.pk]}).status_code == 404
    assert not Pledge.objects.exists()


def test_the_pledger_reports_progress_from_the_page(world, client):
    pledge = in_force(world)
    target = pledge.targets.order_by("order").first()
    client.force_login(world.village1.user)
    assert "填报季度进展" in client.get(f"/pledges/{pledge.pk}/").content.decode()
    response = client.post(f"/pledges/{pledge.pk}/progress/", {"target": target.pk, "quarter": 1,
                                                                "report": "完成温室改造 12 座"})
    assert response.status_code == 302
    assert TargetProgress.objects.get(target=target, quarter=1).report == "完成温室改造 12 座"

    bad = client.post(f"/pledges/{pledge.pk}/progress/", {"target": target.pk, "quarter": 7, "report": "x"})
    assert bad.status_code == 400
    assert "选择一个有效的选项" in bad.content.decode()
    assert TargetProgress.objects.count() == 1


def test_a_stranger_cannot_report_progress(world, client):
    pledge = in_force(world)
    target = pledge.targets.first()
    client.force_login(world.head.user)  # sees the pledge, is not its pledger
    response = client.post(f"/pledges/{pledge.pk}/progress/", {"target": target.pk, "quarter": 1, "report": "代填"})
    assert response.status_code == 400
    assert "只有责任方可以填报进展" in response.content.decode()
    client.force_login(world.cadre2.user)
    assert client.post(f"/pledges/{pledge.pk}/progress/", {"target": target.pk, "quarter": 1,
                                                           "report": "代填"}).status_code == 404
    assert not TargetProgress.objects.exists()


def test_the_scan_is_uploaded_checked_and_served_only_within_scope(world, client):
    pledge = in_force(world)
    client.force_login(world.village1.user)
    wrong = client.post(f"/pledges/{pledge.pk}/scan/",
                        {"scan": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")})
    assert wrong.status_code == 400
    assert "文件类型不符" in wrong.content.decode()
    assert not Pledge.objects.get(pk=pledge.pk).scan

    ok = client.post(f"/pledges/{pledge.pk}/scan/", {"scan": SimpleUploadedFile("签字版.pdf", PDF)})
    assert ok.status_code == 302
    served = client.get(f"/pledges/{pledge.pk}/scan/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content).startswith(b"%PDF")
    client.force_login(world.cadre2.user)
    assert client.get(f"/pledges/{pledge.pk}/scan/").status_code == 404


def test_the_office_assesses_from_the_page(world, client):
    pledge = in_force(world)
    base1, base2, bonus, _veto = pledge.targets.order_by("order")
    client.force_login(world.office.user)
    assert client.get(f"/pledges/{pledge.pk}/assess/").status_code == 200
    response = client.post(f"/pledges/{pledge.pk}/assess/", {
        f"deduction_{base1.pk}": "3", f"deduction_{base2.pk}": "0", f"bonus_{bonus.pk}": "2",
        f"note_{base1.pk}": "一座温室未完工"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.status, pledge.total_score, pledge.grade) == ("assessed", Decimal("99.0"), "excellent")
    client.force_login(world.head.user)
    assert client.get(f"/pledges/{pledge.pk}/assess/").status_code == 404


def test_the_dashboard_shows_pledges_to_sign_and_the_chain(world, client):
    [pledge] = issue(world, [world.cadre1], level="staff")
    client.force_login(world.cadre1.user)
    page = client.get("/").content.decode()
    assert "待签责任书" in page and f"/pledges/{pledge.pk}/" in page
    client.force_login(world.office.user)
    page = client.get("/").content.decode()
    assert "2026年度责任书签订进度" in page
    assert "尚未进行季度公开检查" in page


@pytest.mark.parametrize("rows", [1, 50])
def test_dashboard_panels_cost_the_same_at_1_and_50_pledges(world, rows):
    villages = [f.VillageFactory(township=world.township) for _ in range(rows)]
    template = f.pledge_template(world.township, "village")
    svc.pledge_issue_from_template(template=template, pledgers=villages, actor=actor_for(world.office.user))
    head = actor_for(world.head.user)
    with assert_num_queries(3):  # my pledges, the chain's counts, the last checked quarter (none)
        panels = dashboard_duties.panels(head, world.head.user)
    assert [p["template"] for p in panels] == ["supervision/pledges/_chain_panel.html",
                                               "supervision/disclosures/_panel.html"]
    assert panels[0]["total"] == rows


WHO = ["secretary", "head", "deputy", "inspector", "office", "unit_head", "cadre1", "cadre2", "village1", "outsider"]


def selector_mine(world, who):
    """What selectors.pledges.my_pledges finds to sign and to countersign: (key, status, name)."""
    actor = actor_for(getattr(world, who).user)
    mine = my_pledges(actor)
    return ([(p.pk, p.status, str(p)) for p in mine.to_sign], [(p.pk, p.status, str(p)) for p in mine.to_countersign])


def dashboard_mine(world, who):
    actor = actor_for(getattr(world, who).user)
    mine = dashboard_duties.my_pledges_to_sign(actor.cadre, actor.township_ids)
    return ([(p.pk, p.status, str(p)) for p in mine.to_sign], [(p.pk, p.status, str(p)) for p in mine.to_countersign])


def test_the_dashboard_s_pledges_to_sign_are_the_selector_s(world):
    """The dashboard reads the pledges to sign and countersign in one plain statement: at each
    step of the chain, for pledges of a village, a unit and a cadre (one titled, so named by its
    title), for everyone, the same pledges in the same order, named alike, as my_pledges."""
    assert not any(dashboard_mine(world, who) != ([], []) for who in WHO)
    (village,) = issue(world, [world.v1])
    (unit,) = issue(world, [world.unit], level="unit")
    (staff,) = issue(world, [world.cadre1], level="staff")
    steps = [
        lambda: None,
        lambda: svc.pledge_sign(pledge=village, actor=actor_for(world.village1.user)),
        lambda: svc.pledge_sign(pledge=unit, actor=actor_for(world.unit_head.user)),
        lambda: svc.pledge_sign(pledge=staff, actor=actor_for(world.cadre1.user)),
    ]
    Pledge.objects.filter(pk=unit.pk).update(title="站所目标责任书")
    seen, countersigners, titled = set(), set(), False
    for step in steps:
        step()
        for who in WHO:
            expected = selector_mine(world, who)
            assert dashboard_mine(world, who) == expected, who
            if expected != ([], []):
                seen.add(who)
            countersigners |= {who} if expected[1] else set()
            titled = titled or any(name == "站所目标责任书" for _pk, _status, name in expected[0] + expected[1])
    assert {"village1", "unit_head", "cadre1"} <= seen  # signers; countersigners follow the signing
    assert countersigners and titled
