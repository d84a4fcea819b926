"""HTML → PDF with WeasyPrint, never fetching anything from the network.

Only the portal's own static files and data: URIs may be loaded; any other URL in the HTML is
refused, so user text can never make the renderer reach out (SSRF).
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders


class RefusedURL(ValueError):
    pass


@lru_cache(maxsize=1)
def _fetcher_class() -> type:
    """WeasyPrint 70 takes a URLFetcher subclass (a plain function no longer works)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PortalURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            prefix = "portal-static:"
            if url.startswith(prefix):
                relative = url[len(prefix):].lstrip("/")
                # Static files only, by their names; never a path that climbs out.
                found = finders.find(relative) if ".." not in relative.split("/") else None
                if found:
                    path = Path(found if isinstance(found, str) else found[0])
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            raise RefusedURL(f"PDF rendering refuses to fetch {url[:80]}")

    return PortalURLFetcher


def _url_fetcher(url: str, *args: Any, **kwargs: Any) -> Any:
    """Fetch one URL the way render_pdf does (data: URIs and the portal's static files only)."""
    return _fetcher_class()().fetch(url)


def render_pdf(html: str) -> bytes:
    """Render a complete HTML document. Refer to static files as `portal-static:css/x.css`."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetcher_class()(), base_url="portal-static:/").write_pdf()


PDF_FONT_STACK = "'Noto Serif CJK SC', 'Noto Sans CJK SC', serif"
_ = settings  # settings are read lazily by WeasyPrint's caller
