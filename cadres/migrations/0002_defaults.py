"""Defaults every deployment starts with: role groups, contact quotas, household tags, holidays."""

from datetime import date, timedelta

from django.db import migrations

ROLE_GROUPS = ["county", "leader", "office", "inspector", "reporter"]

TAGS = [
    ("lifted_out_of_poverty", "脱贫户"),
    ("monitored", "防止返贫监测对象"),
    ("party_member", "党员户"),
    ("poor_party_member", "困难党员户"),
    ("subsistence", "低保户"),
    ("greenhouse", "日光温室户"),
]

# Leading cadres link 1 poor party-member household and 10 farmer households (docs/design.md §3).
QUOTAS = {
    "party_secretary": (1, 10), "township_head": (1, 10), "deputy_secretary": (1, 10), "deputy_head": (1, 10),
    "committee_member": (1, 10), "discipline_secretary": (1, 10), "unit_head": (1, 5), "staff": (0, 5),
}


def _span(start: date, days: int, name: str) -> list[tuple[date, bool, str]]:
    return [(start + timedelta(days=i), False, name) for i in range(days)]


# 2026: State Council arrangement (国办发明电〔2025〕7号). 2027: statutory days only, to be
# replaced by the announced arrangement in the admin once published.
HOLIDAYS = [
    *_span(date(2026, 1, 1), 3, "元旦"), (date(2026, 1, 4), True, "元旦调休上班"),
    *_span(date(2026, 2, 15), 9, "春节"), (date(2026, 2, 14), True, "春节调休上班"),
    (date(2026, 2, 28), True, "春节调休上班"),
    *_span(date(2026, 4, 4), 3, "清明节"),
    *_span(date(2026, 5, 1), 5, "劳动节"), (date(2026, 5, 9), True, "劳动节调休上班"),
    *_span(date(2026, 6, 19), 3, "端午节"),
    *_span(date(2026, 9, 25), 3, "中秋节"),
    *_span(date(2026, 10, 1), 7, "国庆节"), (date(2026, 9, 20), True, "国庆节调休上班"),
    (date(2026, 10, 10), True, "国庆节调休上班"),
    (date(2027, 1, 1), False, "元旦"),
    *_span(date(2027, 2, 5), 4, "春节"),
    (date(2027, 4, 5), False, "清明节"),
    *_span(date(2027, 5, 1), 2, "劳动节"),
    (date(2027, 6, 9), False, "端午节"),
    (date(2027, 9, 15), False, "中秋节"),
    *_span(date(2027, 10, 1), 3, "国庆节"),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    HouseholdTag = apps.get_model("cadres", "HouseholdTag")
    for slug, name in TAGS:
        HouseholdTag.objects.get_or_create(slug=slug, defaults={"name": name})
    ContactQuota = apps.get_model("cadres", "ContactQuota")
    for post, (poor, farmer) in QUOTAS.items():
        ContactQuota.objects.get_or_create(post=post, defaults={"poor_party_member": poor, "farmer": farmer})
    CalendarDay = apps.get_model("cadres", "CalendarDay")
    for day, is_workday, name in HOLIDAYS:
        CalendarDay.objects.get_or_create(township=None, date=day, defaults={"is_workday": is_workday, "name": name})


class Migration(migrations.Migration):
    dependencies = [("cadres", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
