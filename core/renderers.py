"""The API's JSON renderer: DRF's output, byte for byte, written by orjson.

Encoding a list page with the standard library takes ~1 ms for a page of pledges (170 KB) and
~0.2–0.4 ms for a page of diaries — a tenth of the page's whole CPU budget (docs/performance.md).
orjson writes the same bytes in an eighth of the time. Everything orjson would write differently is
handed back to DRF's own encoder: dates, times and datetimes (DRF truncates microseconds and writes
UTC as "Z"), Decimal, lazy translations, querysets. An indented answer (`Accept: application/json;
indent=4`) and anything orjson refuses (integers beyond 64 bits, NaN under STRICT_JSON) fall back
to DRF's renderer, so a client never sees a difference.

A `JsonText` value is JSON already written elsewhere (PostgreSQL writes a pledge page's targets in
the serializer's exact format); orjson copies it into the answer as it is, DRF's encoder reads it
back first.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class JsonText:
    """A value given as its JSON text, compact and written exactly as DRF would write the value."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"JsonText({self.text!r})"


class _Encoder(JSONEncoder):
    def default(self, obj: Any) -> Any:
        if isinstance(obj, JsonText):
            return json.loads(obj.text)
        return super().default(obj)


_drf_default = _Encoder().default


def _default(obj: Any) -> Any:
    if isinstance(obj, JsonText):
        return orjson.Fragment(obj.text)
    return _drf_default(obj)


class FastJSONRenderer(JSONRenderer):
    encoder_class = _Encoder

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=_default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        # DRF escapes the two line separators JavaScript does not allow in string literals.
        if b"\xe2\x80\xa8" in out or b"\xe2\x80\xa9" in out:
            out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return out
