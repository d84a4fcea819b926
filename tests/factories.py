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
