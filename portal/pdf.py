"""HTML → PDF with WeasyPrint, never fetching anything from the network.

Only the portal's own static files and data: URIs may be loaded; any other URL in the HTML is
refused, so user text can never make the renderer reach out (SSRF).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders


class RefusedURL(ValueError):
    pass


def _url_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    from weasyprint import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    prefix = "portal-static:"
    if url.startswith(prefix):
        found = finders.find(url[len(prefix):].lstrip("/"))
        if found:
            path = found if isinstance(found, str) else found[0]
            return {"string": Path(path).read_bytes(), "filename": Path(path).name}
    raise RefusedURL(f"PDF rendering refuses to fetch {url[:80]}")


def render_pdf(html: str) -> bytes:
    """Render a complete HTML document. Refer to static files as `portal-static:css/x.css`."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_url_fetcher, base_url="portal-static:/").write_pdf()


PDF_FONT_STACK = "'Noto Serif CJK SC', 'Noto Sans CJK SC', serif"
_ = settings  # settings are read lazily by WeasyPrint's caller
