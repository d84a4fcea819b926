"""A transferred cadre's open matters handed over to the successor."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cadres.models import Cadre
from cadres.roles import Actor, require_office
from supervision.models import Matter, MatterEvent


def matters_hand_over(*, cadre: Cadre, successor: Cadre, actor: Actor) -> int:
    """A transferred cadre's open matters go to the successor (and the successor's unit), each
    with a timeline entry; called inside cadres' transfer transaction (cadres.services.transfers)."""
    require_office(actor, cadre.township_id)
    matters = list(Matter.objects.select_for_update().filter(assignee_id=cadre.pk, status__in=Matter.OPEN_STATUSES))
    for matter in matters:
        matter.assignee = successor
        if successor.unit_id is not None:
            matter.unit_id = successor.unit_id
        matter.save(update_fields=["assignee", "unit", "updated_at"])
    MatterEvent.objects.bulk_create(
        [
            MatterEvent(
                matter=matter, action="transfer", from_status=matter.status, to_status=matter.status, by_id=actor.user_id,
                note=_("干部调动：%(old)s 移交 %(new)s") % {"old": cadre.name, "new": successor.name},
            )
            for matter in matters
        ]
    )
    return len(matters)
