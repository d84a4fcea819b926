"""`updated_at` on every model the API syncs, moved by every write path.

`updated_since=` (portal.sync) reads this column. A stamp that only `save()` moves is not
enough: `QuerySet.update()`, `bulk_update()`, `save(update_fields=[...])` and many-to-many
changes would all leave it behind, and a county system would never see those changes. So a
synced model inherits `Stamped`:

- `save()` — `auto_now`; and `save(update_fields=[...])` writes the stamp too;
- `Model.objects.filter(...).update(...)` — the manager's queryset adds `updated_at=now`
  (unless the caller names it);
- `bulk_create()` — `auto_now` fills it on insert (Django calls the field's `pre_save`), and
  an upsert (`update_conflicts=True`) also updates it;
- `bulk_update(objs, fields)` — stamps the objects and adds the field;
- many-to-many `add` / `remove` / `set` / `clear` (a household's tags, a diary's households) —
  the `m2m_changed` receiver below stamps the object(s) whose links changed;
- a child the API nests in its parent (a pledge's targets and their progress, an inspection's
  findings, a check's items, a village's groups) declares `STAMPS_PARENT = (parent label, lookup
  from the parent to the child)`; saving or deleting one stamps the parent (one UPDATE). Bulk
  writes of children must stamp the parent themselves (`stamp`).

Writes that bypass the ORM (raw SQL, COPY in bench/generate.py) must set the column themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STAMP = "updated_at"


class StampedQuerySet(models.QuerySet):
    """A queryset whose bulk writes move `updated_at` (no caller can forget it)."""

    def update(self, **kwargs: Any) -> int:
        kwargs.setdefault(STAMP, timezone.now())
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(self, objs: Iterable[models.Model], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs, fields = list(objs), list(fields)
        if fields and STAMP not in fields:
            now = timezone.now()
            for obj in objs:
                setattr(obj, STAMP, now)
            fields.append(STAMP)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    bulk_update.alters_data = True  # type: ignore[attr-defined]

    def bulk_create(self, objs: Iterable[models.Model], *args: Any, **kwargs: Any) -> list[models.Model]:
        update_fields = kwargs.get("update_fields")
        if kwargs.get("update_conflicts") and update_fields and STAMP not in update_fields:
            kwargs["update_fields"] = [*update_fields, STAMP]
        return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True  # type: ignore[attr-defined]


class StampedManager(models.Manager.from_queryset(StampedQuerySet)):  # type: ignore[misc]
    pass


class Stamped(models.Model):
    """Abstract base of a synced model: the indexed `updated_at` and the manager that keeps it."""

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = StampedManager()

    class Meta:
        abstract = True

    def save_base(self, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
        # save(update_fields=[...]) (and a save of an object loaded with .only()) writes the stamp too.
        if update_fields is not None and not kwargs.get("raw"):
            update_fields = frozenset(update_fields)
            if update_fields and STAMP not in update_fields:
                update_fields = update_fields | {STAMP}
        super().save_base(*args, update_fields=update_fields, **kwargs)


def is_stamped(model: type[models.Model]) -> bool:
    return issubclass(model, Stamped)


def stamp(model: type[models.Model], pks: Iterable[Any]) -> int:
    """Move `updated_at` of these rows to now (one UPDATE)."""
    ids = list(pks)
    if not ids or not is_stamped(model):
        return 0
    return model._base_manager.filter(pk__in=ids).update(**{STAMP: timezone.now()})


@receiver(m2m_changed, dispatch_uid="core.stamps.links_changed")
def _links_changed(sender: Any, instance: models.Model, action: str, reverse: bool, model: type[models.Model],
                   pk_set: set[Any] | None, **kwargs: Any) -> None:
    """A change of an object's many-to-many links is a change of the object (the side with the field)."""
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        # `household.tags.add(tag)`: the household changed.
        if action != "pre_clear" and is_stamped(type(instance)):
            stamp(type(instance), [instance.pk])
        return
    # `tag.household_set.add(household)`: the households changed; on clear, those linked before.
    if not is_stamped(model):
        return
    if action == "pre_clear":
        field = next(f for f in model._meta.many_to_many if f.remote_field.through is sender)
        stamp(model, model._base_manager.filter(**{field.name: instance}).values_list("pk", flat=True))
    elif action != "post_clear" and pk_set:
        stamp(model, pk_set)


@receiver(post_save, dispatch_uid="core.stamps.child_saved")
@receiver(pre_delete, dispatch_uid="core.stamps.child_deleted")
def _child_changed(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """A nested child saved or about to be deleted: its parent changed."""
    nested = getattr(sender, "STAMPS_PARENT", None)
    if nested is None or raw:
        return
    from django.apps import apps

    parent = apps.get_model(nested[0])
    parent._base_manager.filter(**{nested[1]: instance.pk}).update(**{STAMP: timezone.now()})
