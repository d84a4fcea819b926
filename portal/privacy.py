"""A household's personal information on request (PIPL arts. 45 and 47): export it, erase it.

Erasing blanks what identifies the household — the head's name, phone, note and tags — in the
record and in its history, and replaces the head's name wherever it was written into the linked
diaries, matters and contact plans. The rows themselves stay, so the statistics built on them
(diaries written, matters raised and closed, households followed) do not change.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Household, HouseholdContact
from cadres.roles import Actor, Role
from cadres.scope import households_for
from core.errors import NotAllowed, StateError

from .audit import acting_user, audit
from .models import AuditEvent

ERASED = "（已删除）"
# Free-text fields of linked records where the head's name may have been written.
_LINKED_TEXT = {
    "supervision.Diary": ("people_met", "situation", "problems", "ideas"),
    "supervision.Matter": ("description", "resolution", "revisit_note"),
    "supervision.MatterEvent": ("note",),
    "cadres.HouseholdContact": ("help_plan",),
}


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def household_export(household: Household, *, actor: Actor, request: HttpRequest | None = None) -> dict[str, Any]:
    """Everything the portal holds about one household, as plain JSON-ready data (for its office)."""
    if not actor.has(Role.OFFICE) or not households_for(actor).filter(pk=household.pk).exists():
        raise NotAllowed(_("只有本乡镇党政办可以导出农户个人信息。"))
    from supervision.models import Diary, Matter

    household = (
        Household.objects.select_related("village", "group").prefetch_related("tags").get(pk=household.pk)
    )
    contacts = HouseholdContact.objects.filter(household=household).select_related("cadre").order_by("start", "id")
    diaries = Diary.objects.filter(households=household).select_related("author", "village").order_by("date", "id")
    matters = Matter.objects.filter(household=household).order_by("created_at", "id")
    data = {
        "exported_at": timezone.now().isoformat(),
        "household": {
            "id": household.pk,
            "village": household.village.name,
            "group": household.group.name if household.group else "",
            "head_name": household.head_name,
            "members": household.members,
            "phone": household.phone,
            "note": household.note,
            "tags": [tag.name for tag in household.tags.all()],
            "is_active": household.is_active,
            "erased_at": _iso(household.erased_at),
        },
        "contacts": [
            {"cadre": c.cadre.name, "kind": c.kind, "kind_display": c.get_kind_display(), "start": _iso(c.start),
             "end": _iso(c.end), "help_plan": c.help_plan}
            for c in contacts
        ],
        "diaries": [
            {"id": d.pk, "date": _iso(d.date), "author": d.author.name, "village": d.village.name,
             "category": d.category, "place": d.place, "people_met": d.people_met, "situation": d.situation,
             "problems": d.problems, "ideas": d.ideas, "deleted": d.deleted_at is not None}
            for d in diaries
        ],
        "matters": [
            {"id": m.pk, "created_at": _iso(m.created_at), "source": m.source, "external_ref": m.external_ref,
             "category": m.category, "description": m.description, "status": m.status,
             "resolution": m.resolution, "satisfaction": m.satisfaction, "revisit_note": m.revisit_note}
            for m in matters
        ],
    }
    if request is not None:
        from .security.middleware import EXPORT_AUDITED_ATTR

        setattr(getattr(request, "_request", request), EXPORT_AUDITED_ATTR, True)
    audit(
        AuditEvent.Kind.PERSONAL_DATA,
        request=request,
        user=acting_user(actor),
        detail={"action": "export", "household": household.pk, "diaries": len(data["diaries"]),
                "matters": len(data["matters"])},
    )
    return data


def _replace_name(model_label: str, fields: tuple[str, ...], ids: list[int], name: str) -> None:
    """Replace the name in the linked rows and in their history rows (same ids)."""
    from django.apps import apps

    model = apps.get_model(model_label)
    changes = {field: Replace(F(field), Value(name), Value(ERASED)) for field in fields}
    model.objects.filter(pk__in=ids).update(**changes)
    history = getattr(model, "history", None)
    if history is not None:
        history.model.objects.filter(id__in=ids).update(**changes)


@transaction.atomic
def household_erase(*, household: Household, actor: Actor, request: HttpRequest | None = None) -> Household:
    """Erase a household's personal data on request; statistics built on its records stay."""
    from supervision.models import Diary, Matter, MatterEvent

    if not actor.has(Role.OFFICE) or not households_for(actor).filter(pk=household.pk).exists():
        raise NotAllowed(_("只有本乡镇党政办可以删除农户个人信息。"))
    locked = Household.objects.select_for_update().get(pk=household.pk)
    if locked.erased_at is not None:
        raise StateError(_("该农户的个人信息已于 %(when)s 删除。") % {
            "when": timezone.localtime(locked.erased_at).strftime("%Y-%m-%d %H:%M")})
    name = locked.head_name.strip()

    locked.head_name = ERASED
    locked.phone = ""
    locked.note = ""
    locked.erased_at = timezone.now()
    locked.save(update_fields=["head_name", "phone", "note", "erased_at"])
    locked.tags.clear()

    # The history keeps every earlier version of the record: blank those too.
    Household.history.model.objects.filter(id=locked.pk).update(head_name=ERASED, phone="", note="")
    tag_history = Household.history.model._meta.get_field("historicalhousehold_tags").related_model
    tag_history.objects.filter(household_id=locked.pk).delete()

    # A one-character name would match unrelated text; such names are left for a person to check.
    if len(name) >= 2:
        linked = {
            "supervision.Diary": list(Diary.objects.filter(households=locked).values_list("pk", flat=True)),
            "supervision.Matter": list(Matter.objects.filter(household=locked).values_list("pk", flat=True)),
            "supervision.MatterEvent": list(
                MatterEvent.objects.filter(matter__household=locked).values_list("pk", flat=True)),
            "cadres.HouseholdContact": list(
                HouseholdContact.objects.filter(household=locked).values_list("pk", flat=True)),
        }
        for label, ids in linked.items():
            if ids:
                _replace_name(label, _LINKED_TEXT[label], ids, name)

    audit(
        AuditEvent.Kind.PERSONAL_DATA,
        request=request,
        user=acting_user(actor),
        detail={"action": "erase", "household": locked.pk, "village": locked.village_id},
    )
    household.refresh_from_db()
    return locked
