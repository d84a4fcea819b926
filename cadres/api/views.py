"""The cadres resources (docs/design.md §6): read for everyone in scope, write for the office.

Every queryset comes from a selector (cadres.selectors → cadres.scope), so an object outside
the caller's scope answers 404; a write by anyone but the office answers 403 and changes nothing.
Writes are validated by an input serializer and handed to a service (cadres.services), which
checks the office's township itself; a refused rule answers 400 under the field it names
(portal.api_errors).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import CharField, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api_fast import UnfilteredWithoutParams
from core.errors import DomainError, NotAllowed
from core.pagination import CountedRows
from core.query_memo import kept_queryset

from .. import selectors, services
from ..models import Cadre, Household, Training, Unit, Village
from ..roles import Actor, Role, actor_for
from ..scope import households_for, households_in_scope, households_scope_key, schools_for, townships_for
from ..services import accounts
from . import filters
from . import serializers as s


class OfficeWrites(BasePermission):
    """Reading follows the scope; changing master data is the office's job (党政办)."""

    message = _("只有党政办管理员可以修改此数据。")

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return actor_for(request.user).has(Role.OFFICE)


@contextmanager
def account_errors() -> Iterator[None]:
    """A log-in that exists already is a conflict (409); a bad username a 400 naming the field."""
    try:
        yield
    except accounts.AccountExists as exc:
        raise Conflict(exc.message) from exc
    except NotAllowed:
        raise
    except DomainError as exc:
        raise serializers.ValidationError({exc.field or "detail": [exc.message]}) from exc


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "account_exists"


class ScopedViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, OfficeWrites]
    selector: Callable[[Actor], QuerySet]

    @property
    def actor(self) -> Actor:
        return actor_for(self.request.user)

    def get_queryset(self) -> QuerySet:
        return self.selector(self.actor)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}

    def _input(self, serializer_class: type[serializers.Serializer], instance: Any = None,
               partial: bool = False) -> dict[str, Any]:
        ser = serializer_class(instance, data=self.request.data, partial=partial,
                               context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        return dict(ser.validated_data)

    def _answer(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=obj.pk).first() or obj
        return Response(self.get_serializer(fresh).data, status=code)


class MasterDataViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """List, read, create and change (never delete: records are deactivated instead)."""

    write_serializer_class: type[serializers.ModelSerializer]
    model: type[Model]

    def save(self, instance: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(self.write_serializer_class)
        obj = self.save(self.model(), data)
        return self._answer(obj, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        instance = self.get_object()
        data = self._input(self.write_serializer_class, instance, partial=partial)
        obj = self.save(instance, data)
        return self._answer(obj)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)


def _assign(instance: Model, data: dict[str, Any]) -> Any:
    for key, value in data.items():
        setattr(instance, key, value)
    return instance


@extend_schema_view(list=extend_schema(summary="Townships in the caller's scope"))
class TownshipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.TownshipSerializer
    selector = staticmethod(townships_for)


def _school_list(actor: Actor) -> QuerySet:
    return schools_for(actor).select_related("village")


class SchoolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Schools of the township (read only; the office keeps them in the admin)."""

    serializer_class = s.SchoolSerializer
    selector = staticmethod(_school_list)


def _write_schema(write: type, out: type) -> dict[str, Any]:
    return {
        "create": extend_schema(request=write, responses={201: out}),
        "update": extend_schema(request=write, responses=out),
        "partial_update": extend_schema(request=write, responses=out),
    }


@extend_schema_view(**_write_schema(s.VillageWriteSerializer, s.VillageSerializer))
class VillageViewSet(MasterDataViewSet):
    serializer_class = s.VillageSerializer
    write_serializer_class = s.VillageWriteSerializer
    filterset_class = filters.VillageFilter
    model = Village
    selector = staticmethod(selectors.village_list)

    def save(self, instance: Village, data: dict[str, Any]) -> Model:
        groups = data.pop("groups", None)
        return services.village_save(village=_assign(instance, data), groups=groups, actor=self.actor)


@extend_schema_view(**_write_schema(s.UnitWriteSerializer, s.UnitSerializer))
class UnitViewSet(MasterDataViewSet):
    serializer_class = s.UnitSerializer
    write_serializer_class = s.UnitWriteSerializer
    filterset_class = filters.UnitFilter
    model = Unit
    selector = staticmethod(selectors.unit_list)

    def save(self, instance: Unit, data: dict[str, Any]) -> Model:
        return services.unit_save(unit=_assign(instance, data), actor=self.actor)


@extend_schema_view(**_write_schema(s.CadreWriteSerializer, s.CadreSerializer))
class CadreViewSet(MasterDataViewSet):
    serializer_class = s.CadreSerializer
    write_serializer_class = s.CadreWriteSerializer
    filterset_class = filters.CadreFilter
    model = Cadre
    selector = staticmethod(selectors.cadre_list)

    def save(self, instance: Cadre, data: dict[str, Any]) -> Model:
        if "reports_to" not in data:
            data["reports_to"] = None  # not given: follow the (possibly new) post
        return services.cadre_save(cadre=_assign(instance, data), actor=self.actor)

    def get_permissions(self) -> Any:
        if self.action in ("account", "account_reset"):
            # The account service checks who may (the office, the county); the cadre is looked
            # up in the caller's scope first, so another township's cadre is a 404.
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        methods=["POST"], request=s.AccountCreateSerializer, responses={201: s.AccountIssuedSerializer},
        summary="Create the cadre's log-in; the initial password is returned once",
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None},
                   summary="End the cadre's log-in (its sessions and tokens end too)")
    @action(detail=True, methods=["post", "delete"], url_path="account")
    def account(self, request: Request, pk: str | None = None) -> Response:
        cadre = self.get_object()
        if request.method == "DELETE":
            with account_errors():
                accounts.account_end(actor=self.actor, cadre=cadre)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = self._input(s.AccountCreateSerializer)
        with account_errors():
            issued = accounts.account_create(actor=self.actor, cadre=cadre, username=data["username"])
        return Response(s.AccountIssuedSerializer(issued).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.AccountIssuedSerializer,
                   summary="A new initial password for the cadre's log-in, returned once")
    @action(detail=True, methods=["post"], url_path="account/reset")
    def account_reset(self, request: Request, pk: str | None = None) -> Response:
        cadre = self.get_object()
        with account_errors():
            issued = accounts.account_reset(actor=self.actor, cadre=cadre)
        return Response(s.AccountIssuedSerializer(issued).data)


# Each household's tag slugs, in the tags' order (id), as one column of the page's own query
# (PostgreSQL): no prefetch query, no tag instances. The table and column names are the models'.
TAG_SLUGS = RawSQL(
    "ARRAY(SELECT t.slug FROM cadres_household_tags l JOIN cadres_householdtag t ON t.id = l.householdtag_id "
    'WHERE l.household_id = "cadres_household"."id" ORDER BY t.id)',
    (),
    output_field=ArrayField(CharField()),
)


def tag_slugs_of(household_ids: list[int]) -> dict[int, list[str]]:
    """Each household's tag slugs, in the tags' order, from the link table in one query."""
    slugs: dict[int, list[str]] = {pk: [] for pk in household_ids}
    links = Household.tags.through.objects.filter(household_id__in=household_ids).order_by("householdtag_id")
    for household_id, slug in links.values_list("household_id", "householdtag__slug"):
        slugs[household_id].append(slug)
    return slugs


def _household_rows(qs: QuerySet[Household], on_postgresql: bool) -> QuerySet[Any]:
    rows = qs.values(*s.HOUSEHOLD_ROW_COLUMNS)
    return rows.annotate(tag_slugs=TAG_SLUGS) if on_postgresql else rows


@extend_schema_view(**_write_schema(s.HouseholdWriteSerializer, s.HouseholdSerializer))
class HouseholdViewSet(UnfilteredWithoutParams, MasterDataViewSet):
    serializer_class = s.HouseholdSerializer
    write_serializer_class = s.HouseholdWriteSerializer
    filterset_class = filters.HouseholdFilter
    model = Household
    selector = staticmethod(selectors.household_list)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Plain rows with the village's and group's names joined, not model instances with their
        # tags prefetched (which cost more than the queries); the count is the filtered scope's,
        # without the page's columns and joins.
        on_postgresql = connection.vendor == "postgresql"
        if self.unfiltered():
            # Unfiltered, both querysets are the scope's alone: built once per process and scope
            # (core.query_memo).
            key = households_scope_key(self.actor)
            qs = kept_queryset(("api.households.counted", key), lambda: households_in_scope(key))
            rows = kept_queryset(("api.households.rows", key),
                                 lambda: _household_rows(households_in_scope(key), on_postgresql))
        else:
            qs = self.filter_queryset(households_for(self.actor))
            rows = _household_rows(qs, on_postgresql)
        page = cast(
            "list[dict[str, Any]] | None",
            self.paginate_queryset(CountedRows(rows, qs)),  # type: ignore[arg-type]  # a QuerySet's stand-in
        )
        assert page is not None  # the viewset always paginates
        ids = [row["id"] for row in page]
        tags = {pk: row.pop("tag_slugs") for pk, row in zip(ids, page, strict=True)} if on_postgresql else tag_slugs_of(ids)
        return self.get_paginated_response(s.household_rows(self.actor, page, tags))

    def save(self, instance: Household, data: dict[str, Any]) -> Model:
        tags = data.pop("tags", None)
        return services.household_save(household=_assign(instance, data), tags=tags, actor=self.actor)


@extend_schema_view(**_write_schema(s.TrainingWriteSerializer, s.TrainingSerializer))
class TrainingViewSet(MasterDataViewSet):
    serializer_class = s.TrainingSerializer
    write_serializer_class = s.TrainingWriteSerializer
    filterset_class = filters.TrainingFilter
    model = Training
    selector = staticmethod(selectors.training_list)

    def save(self, instance: Training, data: dict[str, Any]) -> Model:
        return services.training_save(training=_assign(instance, data), actor=self.actor)


@extend_schema_view(create=extend_schema(request=s.AssignmentCreateSerializer, responses={201: s.AssignmentSerializer}))
class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.AssignmentSerializer
    filterset_class = filters.AssignmentFilter
    selector = staticmethod(selectors.assignment_list)

    def create(self, request: Request) -> Response:
        data = self._input(s.AssignmentCreateSerializer)
        obj = services.assignment_create(actor=self.actor, **data)
        return self._answer(obj, status.HTTP_201_CREATED)

    @extend_schema(request=s.EndSerializer, responses=s.AssignmentSerializer, summary="End a village assignment")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        assignment = self.get_object()
        data = self._input(s.EndSerializer)
        obj = services.assignment_end(assignment=assignment, end=data.get("end") or timezone.localdate(),
                                      actor=self.actor)
        return self._answer(obj)


@extend_schema_view(
    create=extend_schema(request=s.ContactCreateSerializer, responses={201: s.ContactSerializer}),
    partial_update=extend_schema(request=s.ContactUpdateSerializer, responses=s.ContactSerializer),
)
class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ContactSerializer
    filterset_class = filters.ContactFilter
    selector = staticmethod(selectors.contact_list)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request: Request) -> Response:
        data = self._input(s.ContactCreateSerializer)
        obj = services.contact_create(actor=self.actor, **data)
        return self._answer(obj, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        data = self._input(s.ContactUpdateSerializer)
        obj = services.contact_update_plan(contact=contact, help_plan=data["help_plan"], actor=self.actor)
        return self._answer(obj)

    @extend_schema(request=s.EndSerializer, responses=s.ContactSerializer, summary="End a household contact")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        data = self._input(s.EndSerializer)
        obj = services.contact_end(contact=contact, end=data.get("end") or timezone.localdate(),
            actor=self.actor)
        return self._answer(obj)
