"""Signing a pledge up the pyramid: the pledger's signature, the countersignature, the signed scan."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import Actor, is_office_of
from core.errors import DomainError, NotAllowed, StateError
from core.notifications import notify_cadres
from supervision.models import (
    Pledge,
)
from supervision.notifications import NotificationKind
from supervision.services.pledges.pyramid import is_pledger_signer


def _locked(pledge: Pledge) -> Pledge:
    """Lock the row, then read it with its relations. Two statements on purpose: a row that was
    changed while this one waited for the lock comes back current, but rows joined in the same
    locking statement would come back as they were before the wait (PostgreSQL re-checks only
    the locked table)."""
    Pledge.objects.select_for_update().filter(pk=pledge.pk).values_list("pk", flat=True).get()
    return Pledge.objects.select_related(
        "pledger_village", "pledger_unit", "pledger_cadre", "superior", "signed_by", "countersigned_by"
    ).get(pk=pledge.pk)


def _fmt(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@transaction.atomic
def pledge_sign(*, pledge: Pledge, actor: Actor) -> Pledge:
    """已下达 → 责任方已签, by the pledger side only."""
    pledge = _locked(pledge)
    cadre = actor.cadre
    if not is_pledger_signer(pledge, cadre):
        raise NotAllowed(_("只有责任方（本人、站办所负责人或村党支部书记、村委会主任）可以签署这份责任书。"))
    if pledge.status == Pledge.Status.DRAFT:
        raise StateError(_("责任书尚未下达，不能签署。"))
    if pledge.status != Pledge.Status.ISSUED:
        raise StateError(_("责任书已由 %(name)s 于 %(at)s 签署，不能重复签署。")
                         % {"name": pledge.signed_by or "", "at": _fmt(pledge.signed_at)})
    assert cadre is not None
    pledge.status = Pledge.Status.SIGNED
    pledge.signed_at = timezone.now()
    pledge.signed_by = cadre
    pledge.save(update_fields=["status", "signed_at", "signed_by"])
    superior = pledge.superior
    title = str(pledge)
    transaction.on_commit(lambda: notify_cadres(
        cadres=[superior], kind=NotificationKind.PLEDGE_TO_SIGN,
        title=_("请会签责任书：%(title)s") % {"title": title},
        url=reverse("pledge-show", args=[pledge.pk]), dedupe_key=f"pledge-countersign:{pledge.pk}",
    ))
    return pledge


@transaction.atomic
def pledge_countersign(*, pledge: Pledge, actor: Actor) -> Pledge:
    """责任方已签 → 已会签（生效）, by the superior only. The row lock makes a second, simultaneous
    countersignature wait for the first and then refuse with who signed and when."""
    pledge = _locked(pledge)
    cadre = actor.cadre
    if cadre is None or cadre.pk != pledge.superior_id:
        raise NotAllowed(_("只有会签人 %(name)s 可以会签这份责任书。") % {"name": pledge.superior.name})
    if pledge.status in (Pledge.Status.COUNTERSIGNED, Pledge.Status.ASSESSED):
        raise StateError(_("责任书已由 %(name)s 于 %(at)s 会签，不能重复会签。")
                         % {"name": pledge.countersigned_by or "", "at": _fmt(pledge.countersigned_at)})
    if pledge.status != Pledge.Status.SIGNED:
        raise StateError(_("责任方尚未签署，不能会签。"))
    pledge.status = Pledge.Status.COUNTERSIGNED
    pledge.countersigned_at = timezone.now()
    pledge.countersigned_by = cadre
    pledge.save(update_fields=["status", "countersigned_at", "countersigned_by"])
    return pledge


def may_attach_scan(pledge: Pledge, actor: Actor) -> bool:
    return (
        is_office_of(actor, pledge.township_id)
        or (actor.cadre_id is not None and actor.cadre_id == pledge.superior_id)
        or is_pledger_signer(pledge, actor.cadre)
    )


@transaction.atomic
def pledge_attach_scan(*, pledge: Pledge, upload: UploadedFile, actor: Actor) -> Pledge:
    """The scan of the signed and stamped paper copy (PDF or image), once the pledger has signed."""
    pledge = _locked(pledge)
    if not may_attach_scan(pledge, actor):
        raise NotAllowed(_("只有党政办或签约双方可以上传责任书扫描件。"))
    if pledge.status in (Pledge.Status.DRAFT, Pledge.Status.ISSUED):
        raise StateError(_("责任方签署后才能上传签字盖章的扫描件。"))
    clean = clean_scan(upload)
    # A replaced scan stays in storage: the pledge's history still points at it.
    pledge.scan.save(clean.name or "scan.pdf", clean, save=False)
    pledge.save(update_fields=["scan"])
    return pledge


def clean_scan(upload: UploadedFile) -> Any:
    from core.uploads import clean_upload

    try:
        return clean_upload(upload, kinds=("pdf", "image"))
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
