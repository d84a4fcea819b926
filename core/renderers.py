"""The API's JSON renderer: DRF's output, byte for byte, written by orjson.

Encoding a list page with the standard library takes ~1 ms for a page of pledges (170 KB) and
~0.2–0.4 ms for a page of diaries — a tenth of the page's whole CPU budget (docs/performance.md).
orjson writes the same bytes in an eighth of the time. Everything orjson would write differently is
handed back to DRF's own encoder: dates, times and datetimes (DRF truncates microseconds and writes
UTC as "Z"), Decimal, lazy translations, querysets. An indented answer (`Accept: application/json;
indent=4`) and anything orjson refuses (integers beyond 64 bits, NaN under STRICT_JSON) fall back
to DRF's renderer, so a client never sees a difference.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class FastJSONRenderer(JSONRenderer):
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
