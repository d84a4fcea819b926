"""The cadres resources (docs/design.md §6): read for everyone in scope, write for the office.

Every queryset comes from a selector (cadres.selectors → cadres.scope), so an object outside
the caller's scope answers 404; a write by anyone but the office answers 403 and changes nothing.
Writes are validated by an input serializer and handed to a service (cadres.services).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..models import Cadre, Household, Training, Unit, Village
from ..roles import Actor, Role, actor_for
from ..scope import schools_for, townships_for
from ..services import CadreRuleError
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
def rule_errors() -> Iterator[None]:
    """A refused rule becomes a 400 naming the field it is about."""
    try:
        yield
    except CadreRuleError as exc:
        raise serializers.ValidationError({exc.field or "detail": [exc.message]}) from exc


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
        with rule_errors():
            obj = self.save(self.model(), data)
        return self._answer(obj, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        instance = self.get_object()
        data = self._input(self.write_serializer_class, instance, partial=partial)
        with rule_errors():
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
        return services.village_save(village=_assign(instance, data), groups=groups, by=self.request.user)


@extend_schema_view(**_write_schema(s.UnitWriteSerializer, s.UnitSerializer))
class UnitViewSet(MasterDataViewSet):
    serializer_class = s.UnitSerializer
    write_serializer_class = s.UnitWriteSerializer
    filterset_class = filters.UnitFilter
    model = Unit
    selector = staticmethod(selectors.unit_list)

    def save(self, instance: Unit, data: dict[str, Any]) -> Model:
        return services.unit_save(unit=_assign(instance, data), by=self.request.user)


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
        return services.cadre_save(cadre=_assign(instance, data), by=self.request.user)


@extend_schema_view(**_write_schema(s.HouseholdWriteSerializer, s.HouseholdSerializer))
class HouseholdViewSet(MasterDataViewSet):
    serializer_class = s.HouseholdSerializer
    write_serializer_class = s.HouseholdWriteSerializer
    filterset_class = filters.HouseholdFilter
    model = Household
    selector = staticmethod(selectors.household_list)

    def save(self, instance: Household, data: dict[str, Any]) -> Model:
        tags = data.pop("tags", None)
        return services.household_save(household=_assign(instance, data), tags=tags, by=self.request.user)


@extend_schema_view(**_write_schema(s.TrainingWriteSerializer, s.TrainingSerializer))
class TrainingViewSet(MasterDataViewSet):
    serializer_class = s.TrainingSerializer
    write_serializer_class = s.TrainingWriteSerializer
    filterset_class = filters.TrainingFilter
    model = Training
    selector = staticmethod(selectors.training_list)

    def save(self, instance: Training, data: dict[str, Any]) -> Model:
        return services.training_save(training=_assign(instance, data), by=self.request.user)


@extend_schema_view(create=extend_schema(request=s.AssignmentCreateSerializer, responses={201: s.AssignmentSerializer}))
class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.AssignmentSerializer
    filterset_class = filters.AssignmentFilter
    selector = staticmethod(selectors.assignment_list)

    def create(self, request: Request) -> Response:
        data = self._input(s.AssignmentCreateSerializer)
        with rule_errors():
            obj = services.assignment_create(by=request.user, **data)
        return self._answer(obj, status.HTTP_201_CREATED)

    @extend_schema(request=s.EndSerializer, responses=s.AssignmentSerializer, summary="End a village assignment")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        assignment = self.get_object()
        data = self._input(s.EndSerializer)
        with rule_errors():
            obj = services.assignment_end(assignment=assignment, end=data.get("end") or timezone.localdate(),
                                          by=request.user)
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
        with rule_errors():
            obj = services.contact_create(by=request.user, **data)
        return self._answer(obj, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        data = self._input(s.ContactUpdateSerializer)
        with rule_errors():
            obj = services.contact_update_plan(contact=contact, help_plan=data["help_plan"], by=request.user)
        return self._answer(obj)

    @extend_schema(request=s.EndSerializer, responses=s.ContactSerializer, summary="End a household contact")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        data = self._input(s.EndSerializer)
        with rule_errors():
            obj = services.contact_end(contact=contact, end=data.get("end") or timezone.localdate(), by=request.user)
        return self._answer(obj)
