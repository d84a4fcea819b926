"""The office's admin: scoped lists, rules on save, the transfer action, and imports from real XLSX files."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from django.contrib import admin as django_admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from cadres.models import (
    Cadre,
    Household,
    HouseholdContact,
    Transfer,
    Unit,
    Village,
    VillageAssignment,
    VillageGroup,
)
from cadres.resources import CadreResource, HouseholdResource, UnitResource, VillageResource
from cadres.roles import actor_for
from tests import factories as f
from tests.spreadsheets import HOUSEHOLD_HEADERS, xlsx


@pytest.fixture
def office(world):  # type: ignore[no-untyped-def]
    user = world.office.user
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


CADRES_MODELS = [m for m in django_admin.site._registry if m._meta.app_label == "cadres"]


@pytest.mark.parametrize("model", CADRES_MODELS, ids=lambda m: m.__name__)
def test_every_cadres_admin_page_opens_for_the_office(office, model):
    base = f"/admin/cadres/{model._meta.model_name}/"
    assert office.get(base).status_code == 200
    assert office.get(base + "add/").status_code in (200, 403)


def test_office_admin_lists_only_its_township(world, office):
    response = office.get("/admin/cadres/household/")
    assert {h.pk for h in response.context["cl"].result_list} == {world.h1.pk, world.h2.pk, world.h3.pk}
    response = office.get(f"/admin/cadres/household/{world.h_other.pk}/change/")
    assert response.status_code == 302  # the admin's "does not exist" for an object out of scope
    response = office.get("/admin/cadres/cadre/")
    assert world.outsider not in response.context["cl"].result_list


def test_other_staff_see_their_scope_and_only_what_their_permissions_allow(world):
    user = world.unit_head.user
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_household"))
    client = Client()
    client.force_login(user)
    response = client.get("/admin/cadres/household/")
    assert {h.pk for h in response.context["cl"].result_list} == {world.h1.pk, world.h2.pk}
    assert client.get("/admin/cadres/cadre/").status_code == 403
    response = client.post(f"/admin/cadres/household/{world.h1.pk}/change/", {"head_name": "改名"})
    assert response.status_code == 403
    world.h1.refresh_from_db()
    assert world.h1.head_name == "张三"


def test_non_staff_cadre_is_sent_to_the_login(world):
    client = Client()
    client.force_login(world.cadre1.user)
    assert client.get("/admin/cadres/household/").status_code == 302


def _cadre_form(world, cadre, **extra):  # type: ignore[no-untyped-def]
    assignment = VillageAssignment.objects.get(cadre=cadre)
    contact = HouseholdContact.objects.get(cadre=cadre)
    data = {
        "township": world.township.pk, "name": cadre.name, "gender": "male", "phone": cadre.phone,
        "political_status": "party_member", "post": cadre.post, "level": "township", "unit": cadre.unit_id or "",
        "village": "", "reports_to": cadre.reports_to_id or "", "is_active": "on", "user": cadre.user_id,
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "1", "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000", "assignments-0-id": assignment.pk, "assignments-0-cadre": cadre.pk,
        "assignments-0-end": "", "assignments-0-duties": "",
        "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "1", "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000", "contacts-0-id": contact.pk, "contacts-0-cadre": cadre.pk,
        "contacts-0-end": "", "contacts-0-help_plan": "",
    }
    data.update(extra)
    return data


def test_wrong_superior_is_shown_on_the_field_and_nothing_saved(world, office):
    data = _cadre_form(world, world.cadre1, reports_to=world.secretary.pk, phone="13999999999")
    response = office.post(f"/admin/cadres/cadre/{world.cadre1.pk}/change/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["reports_to"] == ["按职务，干部甲（机关干部）的上级应为站长（站所负责人）：机关干部向所在站办所负责人负责。"]
    world.cadre1.refresh_from_db()
    assert world.cadre1.phone != "13999999999"


def test_inline_rows_go_through_the_services(world, office):
    url = f"/admin/cadres/cadre/{world.cadre2.pk}/change/"
    new_rows = {
        "assignments-TOTAL_FORMS": "2", "assignments-1-village": world.v1.pk, "assignments-1-role": "leader",
        "assignments-1-start": "2026-02-01",
    }
    response = office.post(url, _cadre_form(world, world.cadre2, **new_rows))
    assert response.status_code == 200
    [formset] = [f for f in response.context["inline_admin_formsets"] if f.formset.model is VillageAssignment]
    assert formset.formset.forms[1].errors["role"][0].startswith("「东河村」已有包村领导副镇长")
    assert VillageAssignment.objects.filter(cadre=world.cadre2).count() == 1

    new_rows["assignments-1-village"] = world.v3.pk
    end = timezone.localdate().isoformat()
    response = office.post(url, _cadre_form(world, world.cadre2, **new_rows, **{"contacts-0-end": end}))
    assert response.status_code == 302, (response.context["errors"], [
        f.formset.errors for f in response.context["inline_admin_formsets"]])
    assignment = VillageAssignment.objects.get(cadre=world.cadre2, village=world.v3)
    assert (assignment.role, assignment.history.get().history_user) == ("leader", world.office.user)
    assert HouseholdContact.objects.get(cadre=world.cadre2).end == timezone.localdate()


def test_transfer_action_asks_then_hands_over(world, office):
    url = "/admin/cadres/cadre/"
    response = office.post(url, {"action": "transfer", "_selected_action": [world.cadre1.pk]})
    assert response.status_code == 200
    assert "干部调动：干部甲" in response.content.decode()
    assert Transfer.objects.count() == 0

    response = office.post(url, {"action": "transfer", "_selected_action": [world.cadre1.pk], "apply": "1",
                                 "successor": world.outsider.pk, "date": timezone.localdate().isoformat()})
    assert response.status_code == 200  # the outsider is not a choice: the form shows the error
    assert Transfer.objects.count() == 0

    response = office.post(url, {"action": "transfer", "_selected_action": [world.cadre1.pk], "apply": "1",
                                 "successor": world.cadre2.pk, "date": timezone.localdate().isoformat()},
                           follow=True)
    assert "已将干部甲的1户联系户、1个包村、0件未办结事项移交给干部乙。" in response.content.decode()
    assert Transfer.objects.get().successor == world.cadre2


def test_end_action_ends_through_the_service(world, office):
    row = VillageAssignment.objects.get(cadre=world.cadre2)
    office.post("/admin/cadres/villageassignment/", {"action": "end_today", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.end == timezone.localdate()


def test_absence_overlap_is_refused_in_the_admin(world, office):
    data = {"cadre": world.cadre1.pk, "start": "2026-03-02", "end": "2026-03-04", "reason": "leave", "note": ""}
    assert office.post("/admin/cadres/excusedabsence/add/", data).status_code == 302
    response = office.post("/admin/cadres/excusedabsence/add/", {**data, "start": "2026-03-03"})
    assert response.status_code == 200
    assert "重叠" in str(response.context["adminform"].form.errors)


def test_office_cannot_change_the_national_calendar(world, office):
    response = office.post("/admin/cadres/calendarday/add/", {"township": "", "date": "2026-12-24",
                                                             "is_workday": "", "name": "平安夜"})
    assert response.status_code == 200
    assert "全国节假日安排由系统管理员维护" in str(response.context["adminform"].form.errors)
    response = office.post("/admin/cadres/calendarday/add/", {"township": world.township.pk, "date": "2026-12-24",
                                                             "is_workday": "", "name": "镇里调休"})
    assert response.status_code == 302


# --- imports -----------------------------------------------------------------------------------------------------------





def _dataset(content: bytes) -> tablib.Dataset:
    return tablib.Dataset().load(content, format="xlsx")


def test_household_file_with_one_bad_row_imports_nothing(world):
    f_group = VillageGroup.objects.create(village=world.v1, name="第一组")
    content = xlsx(HOUSEHOLD_HEADERS, [
        ["东河村", "第一组", "王大", 4, 13800001111, "脱贫户、党员户"],
        ["东河村", "", "王二", 3, "", ""],
        ["西山村", "", "外人", 2, "", ""],  # another township's village
        ["东河村", "第九组", "王三", 0, "", "富裕户"],
    ])
    before = Household.objects.count()
    result = HouseholdResource(actor=actor_for(world.office.user)).import_data(_dataset(content))
    assert result.has_validation_errors()
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors == {
        3: {"村": ["「西山村」不存在或不在您的管理范围内。"]},
        4: {"村民小组": ["「东河村」没有「第九组」。"], "家庭人口": ["家庭人口应为1到30之间的整数。"],
            "标签": ["没有名为「富裕户」的标签。"]},
    }
    assert Household.objects.count() == before
    assert f_group.households.count() == 0


def test_good_household_file_imports_wholly_with_tags(world):
    VillageGroup.objects.create(village=world.v1, name="第一组")
    content = xlsx(HOUSEHOLD_HEADERS, [
        ["东河村", "第一组", "王大", 4, 13800001111, "脱贫户、党员户"],
        ["V002", "", "王二", 3, "", ""],
    ])
    result = HouseholdResource(actor=actor_for(world.office.user)).import_data(_dataset(content))
    assert not result.has_errors() and not result.has_validation_errors()
    wang = Household.objects.get(head_name="王大")
    assert (wang.village, wang.group.name, wang.phone, wang.members) == (world.v1, "第一组", "13800001111", 4)
    assert sorted(t.slug for t in wang.tags.all()) == ["lifted_out_of_poverty", "party_member"]
    assert Household.objects.get(head_name="王二").village == world.v2
    # The same file again updates the same households instead of duplicating them.
    HouseholdResource(actor=actor_for(world.office.user)).import_data(_dataset(content))
    assert Household.objects.filter(head_name__in=["王大", "王二"]).count() == 2


def test_id_card_column_refuses_the_whole_file(world):
    content = xlsx([*HOUSEHOLD_HEADERS, "身份证号"], [["东河村", "", "王大", 4, "", "", "620102199001011234"]])
    result = HouseholdResource(actor=actor_for(world.office.user)).import_data(_dataset(content))
    assert result.has_errors()
    assert "平台不保存身份证号" in str(result.base_errors[0].error)
    assert not Household.objects.filter(head_name="王大").exists()


def test_villages_units_and_cadres_import_in_order(world):
    actor = actor_for(world.office.user)
    rows = [["V010", "新华村", "行政村", "一组、二组"], ["V011", "城南社区", "社区", ""]]
    result = VillageResource(actor=actor).import_data(_dataset(xlsx(["村代码", "村名称", "类型", "村民小组"], rows)))
    assert not result.has_validation_errors()
    assert list(Village.objects.get(code="V010").groups.values_list("name", flat=True)) == ["一组", "二组"]

    result = UnitResource(actor=actor).import_data(_dataset(xlsx(["名称", "类型", "分管领导"], [["水务站", "站所", "镇长"]])))
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    unit = Unit.objects.get(name="水务站")
    assert unit.leader_in_charge == world.head

    result = CadreResource(actor=actor).import_data(_dataset(xlsx(
        ["姓名", "性别", "电话", "职务", "所在站办所", "所在村"],
        [["周站长", "女", "13900000001", "站所负责人", "水务站", ""],
         ["吴干事", "男", "13900000002", "机关干部", "水务站", ""],
         ["郑主任", "男", "13900000003", "村委会主任", "", "新华村"]])))
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    unit.refresh_from_db()
    head, staff, director = (Cadre.objects.get(name=n) for n in ("周站长", "吴干事", "郑主任"))
    assert unit.head == head  # a unit head of a unit without one becomes its head
    assert (head.reports_to, staff.reports_to, director.reports_to) == (world.head, head, None)
    assert (director.level, director.village.name) == ("village", "新华村")


def test_cadre_import_errors_are_by_column_and_all_or_nothing(world):
    content = xlsx(["姓名", "职务", "所在站办所", "所在村"], [
        ["好干部", "机关干部", "财政所", ""],
        ["坏干部", "局长", "", ""],
        ["村官", "村党支部书记", "", ""],
        ["无单位", "机关干部", "不存在站", ""],
    ])
    result = CadreResource(actor=actor_for(world.office.user)).import_data(_dataset(content))
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors == {
        2: {"职务": ["「局长」不是有效的职务。"]},
        3: {"所在村": ["村干部必须选择所在村。"]},
        4: {"所在站办所": ["站办所「不存在站」不存在，请先导入站办所。"]},
    }
    assert not Cadre.objects.filter(name="好干部").exists()


def test_admin_import_previews_then_confirms(world, office):
    VillageGroup.objects.create(village=world.v1, name="第一组")
    bad = xlsx(HOUSEHOLD_HEADERS, [["东河村", "第一组", "王大", 4, "", ""], ["南沟村", "第八组", "王二", 2, "", ""]])
    response = office.post("/admin/cadres/household/import/",
                           {"format": "0", "import_file": _upload("bad.xlsx", bad)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "「南沟村」没有「第八组」。" in page and "村民小组" in page
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Household.objects.filter(head_name="王大").exists()

    good = xlsx(HOUSEHOLD_HEADERS, [["东河村", "第一组", "王大", 4, "", ""], ["南沟村", "", "王二", 2, "", ""]])
    response = office.post("/admin/cadres/household/import/",
                           {"format": "0", "import_file": _upload("good.xlsx", good)})
    confirm = response.context["confirm_form"]
    assert not Household.objects.filter(head_name="王大").exists()  # the preview changes nothing
    response = office.post("/admin/cadres/household/process_import/", confirm.initial)
    assert response.status_code == 302
    assert set(Household.objects.filter(head_name__in=["王大", "王二"]).values_list("village__name", flat=True)) == {
        "东河村", "南沟村"}


def test_a_file_that_is_not_a_spreadsheet_is_refused(world, office):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = office.post("/admin/cadres/household/import/", {"format": "0", "import_file": _upload("x.xlsx", png)})
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        "无法读取该文件：请上传 XLSX 或 UTF-8 编码的 CSV 文件，并选择对应的格式。"]
    assert Household.objects.count() == 4


def test_import_is_for_the_office_only(world):
    user = world.unit_head.user
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_household"))
    client = Client()
    client.force_login(user)
    assert client.get("/admin/cadres/household/import/").status_code == 403
    assert client.get("/admin/cadres/household/export/").status_code == 403


def _upload(name: str, content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_export_is_scoped(world, office):
    fields = {f"householdresource_{name}": "on" for name in HouseholdResource().get_export_order()}
    response = office.post("/admin/cadres/household/export/", {"format": "1", "resource": "0", **fields})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "张三" in text and "钱六" not in text
    assert text.splitlines()[0].startswith("编号,村,村民小组,户主姓名")


def test_dates_in_admin_are_refused_in_chinese(world, office):
    data = {"cadre": world.cadre1.pk, "start": "2026-03-05", "end": "2026-03-01", "reason": "leave", "note": ""}
    response = office.post("/admin/cadres/excusedabsence/add/", data)
    assert "结束日期不能早于开始日期。" in str(response.context["adminform"].form.errors)
    assert dt.date(2026, 3, 5) not in set(world.cadre1.absences.values_list("start", flat=True))


@pytest.mark.parametrize(("path", "add", "queries"), [
    ("/admin/cadres/household/?village__id__exact={v3}", lambda w: f.HouseholdFactory(village=w.v3), 14),
    ("/admin/cadres/cadre/?unit__id__exact={unit2}", lambda w: f.CadreFactory(township=w.township, unit=w.unit2,
                                                                              user=None), 13),
])
def test_admin_list_query_count_is_pinned(world, office, path, add, queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = path.format(v3=world.v3.pk, unit2=world.unit2.pk)

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = office.get(url)
        return len(response.context["cl"].result_list), len(ctx.captured_queries)

    assert measure() == (1, queries)
    for _ in range(49):
        add(world)
    assert measure() == (50, queries)
