"""The `bulletins` resource: list, detail, pdf/xlsx/docx downloads, and the approve/publish actions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from bulletins import downloads, permissions
from bulletins.models import Bulletin
from bulletins.pdf import PDFUnavailable
from bulletins.selectors import bulletin_detail_queryset, bulletins_for
from bulletins.services import bulletin_approve, bulletin_publish
from cadres.roles import actor_for
from core.renderers import FastJSONRenderer

from .serializers import BulletinActionSerializer, BulletinDetailSerializer, BulletinListSerializer


class _BinaryRenderer(BaseRenderer):
    """Declares a download's media type to content negotiation. The file itself is an
    HttpResponse; only an error (a dict) ever reaches render(), and it is written as JSON."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return FastJSONRenderer().render(data)


class PDFRenderer(_BinaryRenderer):
    media_type = downloads.PDF_CONTENT_TYPE
    format = "pdf"


class XLSXFileRenderer(_BinaryRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class DOCXRenderer(_BinaryRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    format = "docx"


class BulletinFilter(filters.FilterSet):
    year = filters.NumberFilter(field_name="year")
    status = filters.ChoiceFilter(choices=Bulletin.Status.choices)

    class Meta:
        model = Bulletin
        fields = ["year", "status"]


def _download_schema(media_type: str, label: str) -> Any:
    return extend_schema(
        summary=f"Download the bulletin as {label}",
        responses={
            (200, media_type): OpenApiResponse(response=OpenApiTypes.BINARY, description=f"The {label} file"),
            503: OpenApiResponse(description="No Chinese font on the server (PDF only); the message says so"),
        },
        description="Published bulletins: everyone who sees them. Drafts: the office and the leaders (403 otherwise).",
    )


_ACTION_RESPONSES = {200: BulletinDetailSerializer}


@extend_schema_view(
    list=extend_schema(summary="Bulletins of the caller's township (drafts only for office, leaders, inspector)"),
    retrieve=extend_schema(summary="One bulletin with its figures"),
)
class BulletinViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = BulletinFilter
    queryset = Bulletin.objects.none()  # the schema's model; requests use get_queryset()

    def get_queryset(self) -> QuerySet[Bulletin]:
        actor = actor_for(self.request.user)
        if self.action == "list":
            return bulletins_for(actor).order_by("-year", "-period_start", "-id")
        return bulletin_detail_queryset(actor)

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return BulletinListSerializer
        if self.action in ("approve", "publish"):
            return BulletinActionSerializer
        return BulletinDetailSerializer

    def _transition(self, service: Any) -> Response:
        bulletin = self.get_object()
        BulletinActionSerializer(data=self.request.data).is_valid(raise_exception=True)
        updated = service(bulletin=bulletin, actor=actor_for(self.request.user))
        fresh = bulletin_detail_queryset(actor_for(self.request.user)).get(pk=updated.pk)
        return Response(BulletinDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(summary="Approve a draft (a township leader)", request=BulletinActionSerializer,
                   responses=_ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(bulletin_approve)

    @extend_schema(summary="Publish an approved bulletin: numbers it and freezes it (office or a leader)",
                   request=BulletinActionSerializer, responses=_ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(bulletin_publish)

    def _download(self, fmt: str) -> HttpResponse:
        bulletin = self.get_object()
        if not permissions.can_download(actor_for(self.request.user), bulletin):
            raise exceptions.PermissionDenied(_("草稿只有党政办和镇领导可以下载。"))
        try:
            return downloads.response(bulletin, fmt)
        except PDFUnavailable as exc:
            raise ServiceUnavailable(str(exc)) from exc

    @_download_schema(downloads.PDF_CONTENT_TYPE, "PDF")
    @action(detail=True, methods=["get"], renderer_classes=[FastJSONRenderer, PDFRenderer])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        return self._download("pdf")

    @_download_schema(XLSXFileRenderer.media_type, "XLSX")
    @action(detail=True, methods=["get"], renderer_classes=[FastJSONRenderer, XLSXFileRenderer])
    def xlsx(self, request: Request, pk: str | None = None) -> HttpResponse:
        return self._download("xlsx")

    @_download_schema(DOCXRenderer.media_type, "DOCX")
    @action(detail=True, methods=["get"], renderer_classes=[FastJSONRenderer, DOCXRenderer])
    def docx(self, request: Request, pk: str | None = None) -> HttpResponse:
        return self._download("docx")


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Service unavailable"
    default_code = "unavailable"
