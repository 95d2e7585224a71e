"""HTML to PDF with WeasyPrint, reading nothing but files under ``static/``."""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from portal.models import Business

logger = logging.getLogger(__name__)
# WeasyPrint 70 logs seven INFO progress steps per document, so keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class StaticFileFetcher(URLFetcher):
    """Fetch ``file:`` URLs inside one folder and reject every other URL.

    WeasyPrint logs a rejected resource and renders the page without it, so a
    PDF never waits on the network or reads a file outside ``static/``.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=["file"])
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError("only files under static/ can be embedded in a PDF")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError("only files under static/ can be embedded in a PDF")
        return super().fetch(url, headers)


def static_root() -> Path:
    return Path(current_app.static_folder or "static")


def logo_uri(business: Business) -> str | None:
    """Return a ``file:`` URI of the business's logo, or None to leave it out.

    A logo given as an http(s) URL is left out, because rendering a PDF inside
    a request must not depend on another server.
    """
    return logo_file_uri(business.logo_url, business.id)


def logo_file_uri(logo_url: str | None, business_id: int) -> str | None:
    """Return a ``file:`` URI of a logo path under ``static/``, or None.

    ``business_id`` only names the business in the warning about a logo
    that is not such a file.
    """
    logo = (logo_url or "").strip()
    if not logo or urlsplit(logo).scheme or logo.startswith("//"):
        return None
    root = static_root().resolve()
    path = (root / logo.lstrip("/")).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        logger.warning("logo of business %s is not a file under static/", business_id)
        return None
    return path.as_uri()


def html_to_pdf(html: str) -> bytes:
    root = static_root()
    document = HTML(
        string=html,
        base_url=root.resolve().as_uri() + "/",
        url_fetcher=StaticFileFetcher(root),
    )
    return document.write_pdf()
