"""A small township with one person in every role (docs/design.md §4), and a second township.

Scope tests ask each of them for the same objects and compare with what §4 allows.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from cadres.models import Cadre, HouseholdContact, Post, VillageAssignment

from . import factories as f


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.township = f.TownshipFactory(name="东河镇", code="620001")
    w.other_township = f.TownshipFactory(name="西山镇", code="620002")
    w.v1 = f.VillageFactory(township=w.township, name="东河村", code="V001")
    w.v2 = f.VillageFactory(township=w.township, name="光明路村", code="V002")
    w.v3 = f.VillageFactory(township=w.township, name="南沟村", code="V003")
    w.v_other = f.VillageFactory(township=w.other_township, name="西山村", code="V900")

    t = w.township
    w.secretary = f.CadreFactory(township=t, name="书记", post=Post.PARTY_SECRETARY, user__username="secretary")
    w.head = f.CadreFactory(township=t, name="镇长", post=Post.TOWNSHIP_HEAD, user__username="head")
    w.deputy = f.CadreFactory(township=t, name="副镇长", post=Post.DEPUTY_HEAD, reports_to=w.secretary,
                              user__username="deputy")
    w.inspector = f.CadreFactory(township=t, name="纪委书记", post=Post.DISCIPLINE_SECRETARY,
                                 reports_to=w.secretary, user__username="inspector")
    w.office_unit = f.UnitFactory(township=t, name="党政办", kind="office")
    w.unit = f.UnitFactory(township=t, name="农业服务中心", kind="center", leader_in_charge=w.deputy)
    w.unit2 = f.UnitFactory(township=t, name="财政所", kind="station")
    w.office = f.CadreFactory(township=t, name="党政办干部", unit=w.office_unit, user__username="office",
                              user__groups=["office"])
    w.unit_head = f.CadreFactory(township=t, name="站长", post=Post.UNIT_HEAD, unit=w.unit, reports_to=w.deputy,
                                 user__username="unithead")
    w.unit.head = w.unit_head
    w.unit.save()
    w.cadre1 = f.CadreFactory(township=t, name="干部甲", unit=w.unit, reports_to=w.unit_head, user__username="cadre1")
    w.cadre2 = f.CadreFactory(township=t, name="干部乙", unit=w.unit, reports_to=w.unit_head, user__username="cadre2")
    w.cadre3 = f.CadreFactory(township=t, name="干部丙", unit=w.unit2, user__username="cadre3")
    w.village1 = f.CadreFactory(township=t, name="村书记", post=Post.VILLAGE_SECRETARY, level=Cadre.Level.VILLAGE,
                                village=w.v1, user__username="village1")
    w.outsider = f.CadreFactory(township=w.other_township, name="外镇干部", user__username="outsider")
    w.reporter_user = f.UserFactory(username="reporter", groups=["reporter"])
    f.MembershipFactory(user=w.reporter_user, township=t)

    start = dt.date(2026, 1, 1)
    f.AssignmentFactory(cadre=w.deputy, village=w.v1, role=VillageAssignment.Role.LEADER, start=start)
    f.AssignmentFactory(cadre=w.cadre1, village=w.v1, start=start)
    f.AssignmentFactory(cadre=w.cadre2, village=w.v2, start=start)
    f.AssignmentFactory(cadre=w.cadre3, village=w.v3, start=start)

    w.h1 = f.HouseholdFactory(village=w.v1, head_name="张三", phone="13812345678")
    w.h2 = f.HouseholdFactory(village=w.v2, head_name="李四", phone="13987654321")
    w.h3 = f.HouseholdFactory(village=w.v3, head_name="赵五", phone="13700001111")
    w.h_other = f.HouseholdFactory(village=w.v_other, head_name="钱六")
    f.ContactFactory(cadre=w.cadre1, household=w.h1, kind=HouseholdContact.Kind.POOR_PARTY_MEMBER, start=start)
    f.ContactFactory(cadre=w.cadre2, household=w.h2, start=start)

    w.users = {
        "secretary": w.secretary.user, "head": w.head.user, "deputy": w.deputy.user, "inspector": w.inspector.user,
        "office": w.office.user, "unit_head": w.unit_head.user, "cadre1": w.cadre1.user, "cadre2": w.cadre2.user,
        "cadre3": w.cadre3.user, "village1": w.village1.user, "outsider": w.outsider.user,
        "reporter": w.reporter_user,
    }
    return w
