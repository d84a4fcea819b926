"""The pyramid (docs/design.md §3): who each cadre answers to, derived from the post.

Pledges are signed level by level: staff → their station/office (its head), station/office →
its leader in charge (分管领导), deputies (党政副职) → the top leader (党委书记), villages → the
township government (the township head countersigns). `reports_to` is stored for speed and
history, and every save checks it against the post.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError

from ..models import DEPUTY_POSTS, TOP_POSTS, VILLAGE_POSTS, Cadre, Post, Unit, Village
from ..roles import Actor, Role, require_office

# Posts that carry the leader (镇领导) or inspector (纪委) role, and the groups that carry a role
# (cadres.roles): granted only by a superuser or county-level staff, never by a township's office.
PRIVILEGED_POSTS = TOP_POSTS | {Post.DISCIPLINE_SECRETARY}
PRIVILEGED_GROUPS = frozenset({"office", "inspector", "leader", "county"})

# Chains are short (staff → head → leader in charge → secretary); anything deeper is a loop.
MAX_DEPTH = 12


class CadreRuleError(DomainError):
    """A refused change of people and places (its `field`, when set, names the field at fault)."""


def party_secretary(township_id: int) -> Cadre | None:
    """The top leader (党政一把手) of a township, who countersigns the deputies' pledges."""
    return (
        Cadre.objects.filter(township_id=township_id, post=Post.PARTY_SECRETARY, is_active=True)
        .order_by("id")
        .first()
    )


def township_head(township_id: int) -> Cadre | None:
    """The township head (镇长), who countersigns the villages' pledges for the government."""
    return (
        Cadre.objects.filter(township_id=township_id, post=Post.TOWNSHIP_HEAD, is_active=True)
        .order_by("id")
        .first()
    )


def village_superior(village: Village) -> Cadre | None:
    """Who countersigns a village's pledge: the township head (for the township government)."""
    return township_head(village.township_id)


def unit_superior(unit: Unit) -> Cadre | None:
    """Who countersigns a station/office's pledge: its leader in charge."""
    lic = unit.leader_in_charge
    return lic if lic is not None and lic.is_active else None


class _DbLookup:
    """Resolves the people a rule needs from the database (one cadre at a time)."""

    def secretary(self, township_id: int) -> Cadre | None:
        return party_secretary(township_id)

    def unit(self, cadre: Cadre) -> Unit | None:
        return cadre.unit if cadre.unit_id is not None else None

    def cadre(self, pk: int | None) -> Cadre | None:
        return Cadre.objects.filter(pk=pk).first() if pk is not None else None


class PyramidIndex(_DbLookup):
    """The same rules over rows already loaded (the tree page: no query per cadre)."""

    def __init__(self, cadres: Iterable[Cadre], units: Iterable[Unit]) -> None:
        self.cadres = {c.pk: c for c in cadres}
        self.units = {u.pk: u for u in units}
        self.secretaries: dict[int, Cadre] = {}
        for c in sorted(self.cadres.values(), key=lambda c: c.pk, reverse=True):
            if c.post == Post.PARTY_SECRETARY and c.is_active:
                self.secretaries[c.township_id] = c

    def secretary(self, township_id: int) -> Cadre | None:
        return self.secretaries.get(township_id)

    def unit(self, cadre: Cadre) -> Unit | None:
        return self.units.get(cadre.unit_id) if cadre.unit_id is not None else None

    def cadre(self, pk: int | None) -> Cadre | None:
        return self.cadres.get(pk) if pk is not None else None

    def expected(self, cadre: Cadre) -> tuple[Cadre | None, str]:
        return _expected(cadre, self)


def _expected(cadre: Cadre, lookup: _DbLookup | None = None) -> tuple[Cadre | None, str]:
    """The superior the post calls for, or None with the reason there is none."""
    lookup = lookup or _DbLookup()
    post = cadre.post
    if post in VILLAGE_POSTS or cadre.level == Cadre.Level.VILLAGE:
        return None, _("村干部不在镇机关的层级中（村的责任书签给镇政府，由镇长会签）")
    if post in TOP_POSTS:
        return None, _("党委书记、镇长是党政一把手，没有上级")
    if post in DEPUTY_POSTS:
        secretary = lookup.secretary(cadre.township_id)
        if secretary is None or secretary.pk == cadre.pk:
            return None, _("本镇尚未登记在岗的党委书记")
        return secretary, _("党政副职向党政一把手（党委书记）负责")
    unit = lookup.unit(cadre)
    if unit is None:
        return None, _("未选择所在站办所，上级无法确定")
    heads_unit = post == Post.UNIT_HEAD or (unit.head_id is not None and unit.head_id == cadre.pk)
    if heads_unit:
        lic = lookup.cadre(unit.leader_in_charge_id)
        if lic is None or not lic.is_active or lic.pk == cadre.pk:
            return None, _("站办所「%(unit)s」尚未设置分管领导") % {"unit": unit.name}
        return lic, _("站办所负责人向分管领导负责")
    head = lookup.cadre(unit.head_id)
    if head is None or not head.is_active or head.pk == cadre.pk:
        return None, _("站办所「%(unit)s」尚未设置负责人") % {"unit": unit.name}
    return head, _("机关干部向所在站办所负责人负责")


def expected_superior(cadre: Cadre) -> Cadre | None:
    """The superior a cadre's primary post calls for (None: no superior within the township)."""
    return _expected(cadre)[0]


def cadre_validate_superior(cadre: Cadre) -> Cadre | None:
    """Refuse a `reports_to` that does not follow from the post; answer the expected superior.

    An empty `reports_to` is accepted (the save fills it in); a wrong one is refused with the
    rule, so the office sees why.
    """
    if cadre.reports_to_id is not None and cadre.pk is not None and cadre.reports_to_id == cadre.pk:
        raise CadreRuleError(_("不能把本人设为自己的上级。"), field="reports_to")
    superior = cadre.reports_to if cadre.reports_to_id else None
    if superior is not None and superior.township_id != cadre.township_id:
        raise CadreRuleError(_("上级必须是同一乡镇的干部。"), field="reports_to")
    expected, reason = _expected(cadre)
    if superior is None:
        return expected
    if expected is None:
        raise CadreRuleError(_("%(reason)s，「上级」应留空。") % {"reason": reason}, field="reports_to")
    if superior.pk != expected.pk:
        raise CadreRuleError(
            _("按职务，%(name)s（%(post)s）的上级应为%(expected)s（%(expected_post)s）：%(reason)s。")
            % {
                "name": cadre.name,
                "post": cadre.get_post_display(),
                "expected": expected.name,
                "expected_post": expected.get_post_display(),
                "reason": reason,
            },
            field="reports_to",
        )
    _refuse_loop(cadre, expected)
    return expected


def _refuse_loop(cadre: Cadre, superior: Cadre) -> None:
    if cadre.pk is None:
        return
    seen: set[int] = set()
    current: Cadre | None = superior
    for _depth in range(MAX_DEPTH):
        if current is None:
            return
        if current.pk == cadre.pk or current.pk in seen:
            raise CadreRuleError(_("上级关系形成了循环，请检查站办所的负责人和分管领导。"), field="reports_to")
        seen.add(current.pk)
        current = current.reports_to if current.reports_to_id else None


def cadre_validate(cadre: Cadre) -> None:
    """Post, level, unit and village must agree before the pyramid can be checked."""
    if cadre.post in VILLAGE_POSTS:
        cadre.level = Cadre.Level.VILLAGE
    elif cadre.level == Cadre.Level.VILLAGE:
        raise CadreRuleError(_("「%(post)s」是镇机关职务，层级应为镇干部。") % {"post": cadre.get_post_display()},
                             field="level")
    if cadre.level == Cadre.Level.VILLAGE:
        if cadre.village_id is None:
            raise CadreRuleError(_("村干部必须选择所在村。"), field="village")
        if cadre.unit_id is not None:
            raise CadreRuleError(_("村干部不属于镇站办所，请清空「所在站办所」。"), field="unit")
    else:
        if cadre.village_id is not None:
            raise CadreRuleError(_("镇干部不设「所在村」，包村请在包村联村中登记。"), field="village")
        if cadre.post in (Post.UNIT_HEAD, Post.STAFF) and cadre.unit_id is None:
            raise CadreRuleError(_("站所负责人和机关干部必须选择所在站办所。"), field="unit")
    if cadre.unit is not None and cadre.unit.township_id != cadre.township_id:
        raise CadreRuleError(_("所在站办所不属于该干部的乡镇。"), field="unit")
    if cadre.village is not None and cadre.village.township_id != cadre.township_id:
        raise CadreRuleError(_("所在村不属于该干部的乡镇。"), field="village")
    bad = [p for p in cadre.extra_posts or [] if p not in Post.values]
    if bad:
        raise CadreRuleError(_("兼任职务无效：%(posts)s。") % {"posts": "、".join(map(str, bad))}, field="extra_posts")


def may_grant_roles(actor: Actor) -> bool:
    """Superusers (and the system) and county-level staff (group "county", is_staff) grant leader,
    inspector and office roles."""
    return actor.is_superuser or (actor.is_staff and Role.COUNTY in actor.roles)


def cadre_validate_posts(cadre: Cadre, *, actor: Actor) -> None:
    """Refuse a change that gives a cadre a leader or inspector post (or gives a log-in to a cadre
    holding one) unless `actor` may grant those roles."""
    if may_grant_roles(actor):
        return
    posts = {cadre.post, *(cadre.extra_posts or [])} & PRIVILEGED_POSTS
    if not posts:
        return
    before = Cadre.objects.filter(pk=cadre.pk).values("post", "extra_posts", "user_id").first() if cadre.pk else None
    held = {before["post"], *(before["extra_posts"] or [])} if before else set()
    granted = posts - held
    labels = "、".join(str(Post(p).label) for p in sorted(granted or posts))
    if granted:
        field = "post" if cadre.post in granted else "extra_posts"
        raise CadreRuleError(
            _("「%(posts)s」带有镇领导或纪委的权限，只能由超级管理员或县级管理员授予。") % {"posts": labels}, field=field
        )
    if cadre.user_id is not None and (before is None or before["user_id"] != cadre.user_id):
        raise CadreRuleError(
            _("该干部担任「%(posts)s」，带有镇领导或纪委的权限；为其关联登录账号须由超级管理员或县级管理员操作。")
            % {"posts": labels},
            field="user",
        )


@transaction.atomic
def cadre_save(*, cadre: Cadre, actor: Actor) -> Cadre:
    """Create or change a cadre: post/level/unit checked, `reports_to` validated or filled in.

    A new unit head of a unit without a head becomes its head; the cadres who answer to this
    one are realigned when the change moves them (e.g. a new head).
    """
    before = None
    if cadre.pk is not None:
        before = Cadre.objects.select_for_update().filter(pk=cadre.pk).values("township_id", "is_active").first()
        require_office(actor, before["township_id"] if before else cadre.township_id)
    require_office(actor, cadre.township_id)
    cadre_validate(cadre)
    cadre_validate_posts(cadre, actor=actor)
    expected = cadre_validate_superior(cadre)
    if cadre.reports_to_id is None and expected is not None:
        cadre.reports_to = expected
    cadre.save()
    if before is not None and cadre.user_id is not None:
        _follow_log_in(cadre, before)
    # A head who moved to another unit (or left) no longer heads the old one.
    for old in Unit.objects.select_for_update().filter(head_id=cadre.pk):
        if old.pk != cadre.unit_id or not cadre.is_active:
            old.head = None
            old.save(update_fields=["head"])
            _realign(Cadre.objects.filter(unit_id=old.pk).exclude(pk=cadre.pk))
    if cadre.post == Post.UNIT_HEAD and cadre.unit_id is not None and cadre.is_active:
        unit = Unit.objects.select_for_update().get(pk=cadre.unit_id)
        if unit.head_id is None:
            unit.head = cadre
            unit.save(update_fields=["head"])
            _realign(Cadre.objects.filter(unit_id=unit.pk).exclude(pk=cadre.pk))
    _realign(Cadre.objects.filter(reports_to_id=cadre.pk))
    return cadre


def _follow_log_in(cadre: Cadre, before: dict[str, Any]) -> None:
    """The log-in follows the cadre record: ended when the cadre leaves; when the cadre moves to
    another township its open sessions end, so no page of the old township stays open."""
    from .accounts import access_end, account_end_on_leaving

    if before["is_active"] and not cadre.is_active:
        account_end_on_leaving(cadre=cadre)
    elif before["township_id"] != cadre.township_id:
        access_end(user=cadre.user)


def unit_validate(unit: Unit) -> None:
    head = unit.head if unit.head_id is not None else None
    if head is not None:
        if head.township_id != unit.township_id:
            raise CadreRuleError(_("负责人必须是本镇干部。"), field="head")
        if unit.pk is not None and head.unit_id != unit.pk:
            raise CadreRuleError(_("负责人必须是本站办所的干部（%(name)s 在其他站办所）。") % {"name": head.name},
                                 field="head")
        if head.level == Cadre.Level.VILLAGE:
            raise CadreRuleError(_("村干部不能担任站办所负责人。"), field="head")
    lic = unit.leader_in_charge if unit.leader_in_charge_id is not None else None
    if lic is not None:
        if lic.township_id != unit.township_id:
            raise CadreRuleError(_("分管领导必须是本镇干部。"), field="leader_in_charge")
        if lic.post not in TOP_POSTS | DEPUTY_POSTS:
            raise CadreRuleError(
                _("分管领导应为镇领导班子成员（党委书记、镇长或党政副职），%(name)s 是%(post)s。")
                % {"name": lic.name, "post": lic.get_post_display()},
                field="leader_in_charge",
            )
        if unit.head_id is not None and unit.head_id == unit.leader_in_charge_id:
            raise CadreRuleError(_("负责人和分管领导不能是同一人。"), field="leader_in_charge")


@transaction.atomic
def unit_save(*, unit: Unit, actor: Actor) -> Unit:
    """Create or change a station/office; its cadres' superiors follow a new head or leader."""
    if unit.pk is not None:
        current = Unit.objects.select_for_update().filter(pk=unit.pk).first()
        require_office(actor, current.township_id if current else unit.township_id)
    require_office(actor, unit.township_id)
    unit_validate(unit)
    unit.save()
    _realign(Cadre.objects.filter(unit_id=unit.pk))
    return unit


def _realign(cadres: Iterable[Cadre]) -> int:
    """Point each cadre at the superior their post calls for; answer how many changed."""
    changed = 0
    for cadre in cadres:
        if not cadre.is_active:
            continue
        expected = expected_superior(cadre)
        expected_id = expected.pk if expected is not None else None
        if cadre.reports_to_id != expected_id:
            cadre.reports_to = expected
            cadre.save(update_fields=["reports_to"])
            changed += 1
    return changed


@transaction.atomic
def cadres_align_superiors(*, cadres: Iterable[Cadre], actor: Actor) -> int:
    """Set every given cadre's `reports_to` to what the post calls for (admin action)."""
    ids = [c.pk for c in cadres]
    # Lock only the cadres' own rows (PostgreSQL refuses FOR UPDATE across outer joins).
    rows = Cadre.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related(
        "unit", "unit__head", "unit__leader_in_charge"
    )
    rows = list(rows)
    for township_id in {c.township_id for c in rows}:
        require_office(actor, township_id)
    return _realign(rows)
