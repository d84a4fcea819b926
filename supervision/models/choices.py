from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What a diary entry or a matter is about (docs/design.md §3)."""

    INDUSTRY = "industry", _("产业发展/日光温室")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    LIVELIHOOD = "livelihood", _("民生保障")
    DISPUTES = "disputes", _("矛盾纠纷")
    POLICY = "policy", _("政策宣传")
    PARTY_BUILDING = "party_building", _("党的建设")
    VILLAGE_APPEARANCE = "village_appearance", _("村容村貌")
    OTHER = "other", _("其他")
