"""The printable pledge: an HTML print layout and a real PDF whose text holds both parties and
every target (read back with poppler's pdftotext)."""

from __future__ import annotations

import subprocess

import pytest

from cadres.roles import actor_for
from supervision.services import pledges as svc
from tests import factories as f

pytestmark = pytest.mark.django_db

TASKS = ["日光温室新建任务", "监测户帮扶措施落实", "矛盾纠纷排查化解", "村务公开季度检查", "工作创新获县级推广",
         "发生安全生产责任事故"]


@pytest.fixture
def pledge(world):
    world.head.name = "王建国"
    world.head.save()
    world.village1.name = "李秀英"
    world.village1.save()
    template = f.PledgeTemplateFactory(township=world.township, level="village", year=2026)
    for order, (kind, points) in enumerate([("base", 40), ("base", 30), ("base", 20), ("base", 10), ("bonus", 5),
                                            ("veto", 0)]):
        f.PledgeTemplateTargetFactory(template=template, kind=kind, points=points, order=order, task=TASKS[order])
    [pledge] = svc.pledge_issue_from_template(template=template, pledgers=[world.v1], actor=actor_for(world.office.user))
    svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    return svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))


def test_the_print_page_shows_both_signature_blocks_and_every_target(world, client, pledge):
    client.force_login(world.village1.user)
    page = client.get(f"/pledges/{pledge.pk}/print/").content.decode()
    assert "2026年度目标管理责任书" in page
    assert "会签方（甲方）" in page and "责任方（乙方）" in page
    assert "王建国" in page and "李秀英" in page and "东河村" in page
    for task in TASKS:
        assert task in page
    assert "<script>" not in page and 'style="' not in page  # strict CSP: no inline code or style


def test_the_pdf_reads_back_with_both_parties_and_every_target(world, client, pledge, tmp_path):
    client.force_login(world.office.user)
    response = client.get(f"/pledges/{pledge.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "pledge.pdf"
    path.write_bytes(response.content)

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())  # table cells wrap; compare without whitespace
    assert "2026年度目标管理责任书" in flat
    assert "会签方（甲方）" in flat and "责任方（乙方）" in flat
    assert "王建国" in flat  # the superior, in the parties and the countersignature
    assert "李秀英" in flat  # who signed for the village
    assert "东河村" in flat
    for task in TASKS:
        assert task in flat


def test_a_pledge_outside_the_scope_has_no_pdf(world, client, pledge):
    client.force_login(world.cadre2.user)
    assert client.get(f"/pledges/{pledge.pk}/pdf/").status_code == 404
