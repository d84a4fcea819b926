"""One historical version for a new row and its many-to-many links.

django-simple-history records a version on every save and another on every many-to-many change,
and reads the links back to copy them into the history: a diary written with the households
visited cost two versions (the first without them) and nine statements. A model whose history
is `HistoricalRecordsWithLinks` (simple-history's `HistoricalRecords`, which also leaves itself
on the model) can be written with `create_with_links`: the row and its links are inserted
first, then one "+" version is recorded through simple-history's own code (its signals and the
request's user as usual), its link rows copied from the links just written.

On PostgreSQL the four inserts (the row, its links, the version, the version's links) are one
statement (`_insert_in_one_statement`): a diary's POST spent a quarter of its CPU building and
sending them one by one. It writes the rows simple-history's code writes, with the same user,
date and reason, and sends Django's pre_save and post_save as save() does; simple-history's own
create signals it cannot send (they carry model instances it does not build), so a model whose
historical model has a receiver of them is written the ORM's way instead.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, connections, models, router
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    post_create_historical_record,
    pre_create_historical_m2m_records,
    pre_create_historical_record,
)

M = TypeVar("M", bound=models.Model)

_RECORDS = "_historical_records"
_WRITTEN = "_links_just_written"


class HistoricalRecordsWithLinks(HistoricalRecords):
    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        super().contribute_to_class(cls, name)
        setattr(cls, _RECORDS, self)

    def history_model_of(self, instance: models.Model) -> Any:
        """The historical model of `instance`'s class, read from the class's history descriptor
        (reading `instance.history` builds a new manager class every time: a quarter of a write)."""
        for klass in type(instance).__mro__:
            descriptor = klass.__dict__.get(self.manager_name)
            if isinstance(descriptor, HistoryDescriptor):
                return descriptor.model
        raise AttributeError(self.manager_name)

    def create_historical_record(self, instance: Any, history_type: str, using: str | None = None) -> None:
        # simple-history 3.13's own method, line for line (same fields, same signals, same save),
        # but for the historical model, which is looked up without the manager (history_model_of).
        using = using if self.use_base_model_db else None
        history_date = getattr(instance, "_history_date", timezone.now())
        history_user = self.get_history_user(instance)
        history_change_reason = self.get_change_reason_for_object(instance, history_type, using)
        history_model = self.history_model_of(instance)
        attrs = {field.attname: getattr(instance, field.attname) for field in self.fields_included(instance)}
        if getattr(history_model, "history_relation", None) is not None:
            attrs["history_relation"] = instance
        history_instance = history_model(
            history_date=history_date, history_type=history_type, history_user=history_user,
            history_change_reason=history_change_reason, **attrs,
        )
        pre_create_historical_record.send(
            sender=history_model, instance=instance, history_date=history_date, history_user=history_user,
            history_change_reason=history_change_reason, history_instance=history_instance, using=using,
        )
        history_instance.save(using=using)
        self.create_historical_record_m2ms(history_instance, instance)
        post_create_historical_record.send(
            sender=history_model, instance=instance, history_instance=history_instance, history_date=history_date,
            history_user=history_user, history_change_reason=history_change_reason, using=using,
        )

    def create_historical_record_m2ms(self, history_instance: Any, instance: models.Model) -> None:
        written: dict[str, list[models.Model]] | None = getattr(instance, _WRITTEN, None)
        if written is None:
            return super().create_historical_record_m2ms(history_instance, instance)
        # As simple-history does, from the through rows create_with_links has in hand.
        for field in history_instance._history_m2m_fields:
            history_model = self.m2m_models[field]
            names = [f.name for f in field.remote_field.through._meta.fields]
            rows = [history_model(history=history_instance, **{n: getattr(row, n) for n in names})
                    for row in written.get(field.name, [])]
            pre_create_historical_m2m_records.send(sender=history_model, rows=rows, history_instance=history_instance,
                                                   instance=instance, field=field)
            created = history_model.objects.bulk_create(rows)
            post_create_historical_m2m_records.send(sender=history_model, created_rows=created,
                                                    history_instance=history_instance, instance=instance, field=field)


def create_with_links(instance: M, links: Mapping[str, Sequence[models.Model]]) -> M:
    """Insert a new `instance` and its many-to-many `links` ({field name: objects}), then record
    one "+" version that lists them. The model's history must be HistoricalRecordsWithLinks."""
    records: HistoricalRecordsWithLinks = getattr(type(instance), _RECORDS)
    if _one_statement_writes(records, instance, links):
        return _insert_in_one_statement(records, instance, links)
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        instance.save(force_insert=True)
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    written: dict[str, list[models.Model]] = {}
    for name, targets in links.items():
        field: Any = instance._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        written[name] = through.objects.bulk_create([through(**{source: instance, target: obj}) for obj in targets])
    # Where the database cannot return the new links' ids, the history reads them back instead.
    complete = all(row.pk is not None for rows in written.values() for row in rows)
    if complete:
        setattr(instance, _WRITTEN, written)
    try:
        records.create_historical_record(instance, "+")
    finally:
        if complete:
            delattr(instance, _WRITTEN)
    return instance


_CREATE_SIGNALS = (pre_create_historical_record, post_create_historical_record,
                   pre_create_historical_m2m_records, post_create_historical_m2m_records)
# The version's own columns, in the order the statement's parameters give them, and its key.
_VERSION_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user")
_VERSION_FIELDS = {"history_id", *_VERSION_COLUMNS}


def _one_statement_writes(records: HistoricalRecordsWithLinks, instance: models.Model,
                          links: Mapping[str, Sequence[models.Model]]) -> bool:
    """Whether `_insert_in_one_statement` writes exactly what the ORM's way would: PostgreSQL, a
    new row whose key the database assigns, history recorded, and nothing it could not reproduce
    (a receiver of simple-history's create signals, a historical model with fields of its own, a
    link target not saved yet or not keyed by an integer)."""
    model = type(instance)
    using = router.db_for_write(model, instance=instance)
    if connections[using].vendor != "postgresql" or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return False
    if instance.pk is not None or not isinstance(model._meta.pk, models.AutoField):
        return False
    history_model = records.history_model_of(instance)
    if getattr(history_model, "history_relation", None) is not None:
        return False
    if any(signal.has_listeners(sender) for signal in _CREATE_SIGNALS
           for sender in (history_model, *records.m2m_models.values())):
        return False
    copied = {f.name for f in records.fields_included(instance)}
    if {f.name for f in history_model._meta.concrete_fields} != copied | _VERSION_FIELDS:
        return False
    names = {field.name for field in records.get_m2m_fields_from_model(model)}
    # The links' targets travel as one bigint[] array: integer keys only.
    return set(links) <= names and all(isinstance(obj.pk, int) for targets in links.values() for obj in targets)


def _insert_in_one_statement(records: HistoricalRecordsWithLinks, instance: M,
                             links: Mapping[str, Sequence[models.Model]]) -> M:
    """create_with_links on PostgreSQL, in one statement of data-modifying WITH queries: the row
    (RETURNING its new key), its links, its "+" version (the row's columns as inserted) and the
    version's links (the link rows as inserted). A unique constraint refuses it as it would the
    row's own INSERT (the same IntegrityError, naming the constraint), and nothing is written."""
    model = type(instance)
    using = router.db_for_write(model, instance=instance)
    db = connections[using]
    # simple-history's own post_save receiver records a version unless told it is written here.
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
        _insert_statement(records, instance, links, db)
        post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    return instance


def _insert_statement(records: HistoricalRecordsWithLinks, instance: models.Model,
                      links: Mapping[str, Sequence[models.Model]], db: Any) -> None:
    model = type(instance)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    history_model = records.history_model_of(instance)
    user = records.get_history_user(instance)
    version = [getattr(instance, "_history_date", timezone.now()),
               records.get_change_reason_for_object(instance, "+", db.alias), "+", getattr(user, "pk", None)]
    linked = tuple(name for name, targets in links.items() if targets)
    params: list[Any] = [
        *(f.get_db_prep_save(f.pre_save(instance, True), connection=db) for f in fields),
        *(history_model._meta.get_field(name).get_db_prep_save(value, connection=db)
          for name, value in zip(_VERSION_COLUMNS, version, strict=True)),
        *([obj.pk for obj in links[name]] for name in linked),
    ]
    with db.cursor() as cursor:
        cursor.execute(_statement(model, history_model, linked, db.alias), params)
        (pk,) = cursor.fetchone()
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = db.alias



@functools.cache
def _statement(model: type[models.Model], history_model: Any, linked: tuple[str, ...], alias: str) -> str:
    """The one statement of `_insert_in_one_statement` for `model` with links in `linked`, built
    once: the row's values, then the version's date, reason, type and user, then an array of
    target keys for each link field, in this order, are its parameters."""
    records: HistoricalRecordsWithLinks = getattr(model, _RECORDS)
    meta = model._meta
    quote = connections[alias].ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    copied = [history_model._meta.get_field(f.name) for f in records.fields_included(model)]
    version_fields = [history_model._meta.get_field(name) for name in _VERSION_COLUMNS]
    # The version copies every column of the row as inserted, its key included.
    columns = {f.name: f.column for f in meta.concrete_fields}
    returned = ", ".join(quote(columns[f.name]) for f in copied)
    inserted = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    version_columns = ", ".join(quote(f.column) for f in [*copied, *version_fields])
    # Every name below is a table or column from the models' metadata, every value a parameter.
    parts = [
        f"new_row AS (INSERT INTO {quote(meta.db_table)} ({inserted}) VALUES ({placeholders}) RETURNING {returned})",  # noqa: S608
        f"new_version AS (INSERT INTO {quote(history_model._meta.db_table)} ({version_columns}) "  # noqa: S608
        f"SELECT {returned}, %s, %s, %s, %s FROM new_row RETURNING history_id)",
    ]
    for n, name in enumerate(linked):
        field: Any = meta.get_field(name)
        through = field.remote_field.through._meta
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        link_columns = [quote(through.get_field(name).column) for name in (through.pk.name, source, target)]
        version_links = records.m2m_models[field]._meta
        version_link_columns = ", ".join(quote(version_links.get_field(name).column)
                                         for name in (through.pk.name, source, target, "history"))
        # The links in the order given, as bulk_create writes them; their version's copies.
        parts.append(
            f"new_links{n} AS (INSERT INTO {quote(through.db_table)} ({', '.join(link_columns[1:])}) "  # noqa: S608
            f"SELECT new_row.{quote(meta.pk.column)}, linked.target FROM new_row, "
            f"unnest(%s::bigint[]) WITH ORDINALITY AS linked(target, position) ORDER BY linked.position "
            f"RETURNING {', '.join(link_columns)})")
        parts.append(
            f"new_version_links{n} AS (INSERT INTO {quote(version_links.db_table)} ({version_link_columns}) "  # noqa: S608
            f"SELECT new_links{n}.*, new_version.history_id FROM new_links{n}, new_version)")
    return f"WITH {', '.join(parts)} SELECT {quote(meta.pk.column)} FROM new_row"  # noqa: S608


def create_many_with_links(instances: Sequence[M], links: Sequence[Mapping[str, Sequence[models.Model]]]) -> list[M]:
    """`create_with_links` for many new rows of one model at once: the rows, their links, their
    "+" versions and the versions' links in one statement each (a job that writes a row per
    township writes twenty in four statements). `links[i]` belongs to `instances[i]`."""
    if not instances:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:
        return [create_with_links(obj, obj_links) for obj, obj_links in zip(instances, links, strict=True)]
    model = type(instances[0])
    records: HistoricalRecordsWithLinks = getattr(model, _RECORDS)
    created = model._default_manager.bulk_create(list(instances))
    written: dict[str, list[list[models.Model]]] = {}
    for name in {name for obj_links in links for name in obj_links}:
        field: Any = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = [[through(**{source: obj, target: other}) for other in obj_links.get(name, ())]
                for obj, obj_links in zip(created, links, strict=True)]
        through.objects.bulk_create([row for obj_rows in rows for row in obj_rows])
        written[name] = rows
    versions = getattr(model, records.manager_name).bulk_history_create(created)
    for field in records.get_m2m_fields_from_model(model):
        history_model = records.m2m_models[field]
        names = [f.name for f in field.remote_field.through._meta.fields]
        history_model.objects.bulk_create([
            history_model(history=version, **{n: getattr(row, n) for n in names})
            for version, obj_rows in zip(versions, written.get(field.name, [[] for _ in created]), strict=True)
            for row in obj_rows
        ])
    return created


def history_user(user_id: int | None) -> Any:
    """The user simple-history records for a change made by an actor (`actor.user_id`), without
    reading the user row: None for the system (jobs, demo data, commands)."""
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model()(pk=user_id)


def set_history_user(instance: models.Model, user_id: int | None) -> None:
    """Record the next saved version of `instance` as made by `user_id` (see `history_user`)."""
    instance._history_user = history_user(user_id)  # type: ignore[attr-defined]  # read by simple-history
