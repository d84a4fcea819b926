"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from cadres.models import (
    Cadre,
    Household,
    HouseholdContact,
    Membership,
    Post,
    Township,
    Unit,
    Village,
    VillageAssignment,
    VillageGroup,
)

PASSWORD = "Test-password-2026"


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    name = factory.Sequence(lambda n: f"测试{n}镇")
    code = factory.Sequence(lambda n: f"620{n:06d}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试{n}村")
    code = factory.Sequence(lambda n: f"V{n:08d}")


class VillageGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageGroup

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"第{n}组")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试{n}站")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"干部{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    post = Post.STAFF
    user = factory.SubFactory(UserFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageAssignment

    cadre = factory.SubFactory(CadreFactory)
    village = factory.SubFactory(VillageFactory)
    role = VillageAssignment.Role.CADRE
    start = dt.date(2026, 1, 1)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.SubFactory(VillageFactory)
    head_name = factory.Sequence(lambda n: f"王{n}")
    members = 4
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdContact

    cadre = factory.SubFactory(CadreFactory)
    household = factory.SubFactory(HouseholdFactory)
    kind = HouseholdContact.Kind.FARMER
    start = dt.date(2026, 1, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    township = factory.SubFactory(TownshipFactory)


def today() -> dt.date:
    return timezone.localdate()


# --- duties (pledges, disclosures, inspections) --------------------------------------------------


class PledgeTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.PledgeTemplate"

    township = factory.SubFactory(TownshipFactory)
    year = 2026
    level = "village"
    name = factory.Sequence(lambda n: f"责任书模板{n}")


class PledgeTemplateTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.PledgeTemplateTarget"

    template = factory.SubFactory(PledgeTemplateFactory)
    kind = "base"
    task = factory.Sequence(lambda n: f"目标任务{n}")
    points = 50


def pledge_template(township, level: str = "village", *, year: int = 2026, base=(60, 40), bonus=(5,), veto=1,
                    disclosure_points=None):  # type: ignore[no-untyped-def]
    """A template whose base targets carry `base` points (plus an optional auto-filled disclosure target)."""
    template = PledgeTemplateFactory(township=township, level=level, year=year)
    order = 0
    for points in base:
        order += 1
        PledgeTemplateTargetFactory(template=template, kind="base", points=points, order=order,
                                    task=f"基础目标{order}")
    if disclosure_points:
        order += 1
        PledgeTemplateTargetFactory(template=template, kind="base", points=disclosure_points, order=order,
                                    task="村务公开", auto_source="disclosure")
    for points in bonus:
        order += 1
        PledgeTemplateTargetFactory(template=template, kind="bonus", points=points, order=order, task=f"加分项{order}")
    for _ in range(veto):
        order += 1
        PledgeTemplateTargetFactory(template=template, kind="veto", points=0, order=order, task=f"否决项{order}")
    return template


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.Disclosure"

    village = factory.SubFactory(VillageFactory)
    township = factory.LazyAttribute(lambda o: o.village.township)
    domain = "village_affairs"
    category = "村务工作计划及落实情况"
    title = factory.Sequence(lambda n: f"公开事项{n}")
    content = "公开内容"
    period_start = dt.date(2026, 7, 1)
    period_end = dt.date(2026, 9, 30)
    posted_on = dt.date(2026, 10, 10)
    # Recorded on the day it was posted (the check counts an unconfirmed posting from its recording).
    created_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(dt.datetime.combine(o.posted_on, dt.time(16)))
    )


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.Inspection"

    township = factory.SubFactory(TownshipFactory)
    date = dt.date(2026, 10, 15)
    kind = "announced"
    title = factory.Sequence(lambda n: f"督查{n}")
    subject_type = "village"
    subject_village = factory.SubFactory(VillageFactory)


class InspectionFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.InspectionFinding"

    inspection = factory.SubFactory(InspectionFactory)
    category = "formalism"
    description = "台账材料重复填报"
    action = "reminder"


# --- the daily loop (diaries, matters) ---------------------------------------------------------------


class DiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.Diary"

    author = factory.SubFactory(CadreFactory)
    township = factory.LazyAttribute(lambda o: o.author.township)
    village = factory.SubFactory(VillageFactory, township=factory.SelfAttribute("..author.township"))
    date = factory.LazyFunction(today)
    category = "livelihood"
    situation = factory.Sequence(lambda n: f"走访情况{n}")


class MatterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.Matter"

    village = factory.SubFactory(VillageFactory)
    township = factory.LazyAttribute(lambda o: o.village.township)
    category = "infrastructure"
    description = factory.Sequence(lambda n: f"问题{n}")
    deadline = factory.LazyFunction(lambda: today() + dt.timedelta(days=15))


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.Plan"

    village = factory.SubFactory(VillageFactory)
    township = factory.LazyAttribute(lambda o: o.village.township)
    title = factory.Sequence(lambda n: f"发展规划{n}")
    period_start = factory.LazyFunction(lambda: today() - dt.timedelta(days=365))
    period_end = factory.LazyFunction(lambda: today() + dt.timedelta(days=730))
    status = "draft"


class PlanGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.PlanGoal"

    plan = factory.SubFactory(PlanFactory)
    indicator = factory.Sequence(lambda n: f"指标{n}")
    unit = "座"
    baseline = 0
    target = 50


class PlanMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.PlanMilestone"

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"节点{n}")
    due = factory.LazyFunction(lambda: today() + dt.timedelta(days=30))
