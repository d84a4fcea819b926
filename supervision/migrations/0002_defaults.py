"""Default disclosure requirements (Village Committees Organization Law art. 30), rubric and grades."""

from django.db import migrations

# (domain, category, frequency, due_day, order). Quarterly items are due by the 20th day of the
# month after the quarter; monthly finance by the 10th of the next month; immediate items within
# 5 days of the decision; annual items by the 20th of January.
REQUIREMENTS = [
    ("village_affairs", "村务工作计划及落实情况", "quarterly", 20, 10),
    ("village_affairs", "惠农补贴及救助资金发放", "quarterly", 20, 20),
    ("village_affairs", "低保、五保及救助对象", "quarterly", 20, 30),
    ("village_affairs", "宅基地使用及集体土地承包", "quarterly", 20, 40),
    ("party_affairs", "党员发展与党费收缴", "quarterly", 20, 50),
    ("finance", "村级财务收支", "monthly", 10, 60),
    ("village_affairs", "重大事项（一事一议、工程项目）", "immediate", 5, 70),
    ("village_affairs", "年度村务与财务审计结果", "annual", 20, 80),
]
GRADES = [("excellent", 90), ("good", 80), ("pass", 60), ("fail", 0)]
CATEGORY_DEADLINES = {"disputes": 10, "livelihood": 15, "infrastructure": 30}


def forwards(apps, schema_editor):
    Requirement = apps.get_model("supervision", "DisclosureRequirement")
    for domain, category, frequency, due_day, order in REQUIREMENTS:
        Requirement.objects.get_or_create(
            township=None, domain=domain, category=category,
            defaults={"frequency": frequency, "due_day": due_day, "order": order},
        )
    apps.get_model("supervision", "DisclosureRubric").objects.get_or_create(township=None)
    Grade = apps.get_model("supervision", "GradeThreshold")
    for grade, score in GRADES:
        Grade.objects.get_or_create(grade=grade, defaults={"min_score": score})
    Rule = apps.get_model("supervision", "DeadlineRule")
    for category, days in CATEGORY_DEADLINES.items():
        Rule.objects.get_or_create(category=category, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
