# A decision of the township's party committee (or government) is the township's own 党务/政务:
# published for the township (镇本级), it counts in the township's quarterly check against these
# general requirements. The village ones (0015) stay for a decision the office posts for one village.
# Offered like the other township and school requirements (0014): inactive until the township
# switches its own disclosures' check on.
from django.db import migrations

REQUIREMENTS = [
    ("party_affairs", "党委重大事项决策", "immediate", 5, 53),
    ("government_affairs", "政府重大行政决策", "immediate", 5, 55),
]


def forwards(apps, schema_editor):
    Requirement = apps.get_model("supervision", "DisclosureRequirement")
    for domain, category, frequency, due_day, order in REQUIREMENTS:
        Requirement.objects.get_or_create(
            township=None, domain=domain, category=category, applies_to="township",
            defaults={"frequency": frequency, "due_day": due_day, "order": order, "is_active": False},
        )


def backwards(apps, schema_editor):
    apps.get_model("supervision", "DisclosureRequirement").objects.filter(
        township=None, applies_to="township", category__in=[r[1] for r in REQUIREMENTS]).delete()


class Migration(migrations.Migration):

    dependencies = [("supervision", "0017_search_scope_term")]

    operations = [migrations.RunPython(forwards, backwards)]
