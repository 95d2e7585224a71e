"""Response headers that hold for every page, and the per-request CSP nonce."""

import re
import secrets
from collections.abc import Iterable, Mapping

from flask import Flask, Response, abort, current_app, g, request

FRAME_ANCESTORS_NONE = "'none'"
SELF = "'self'"
# Control characters, line breaks and tabs included, and the bidirectional
# embedding, override and isolate marks, which can show text reversed. URLs and
# single-line form fields that contain one are rejected: no field uses them,
# and PostgreSQL cannot store NUL in text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def allow_sources(sources: Mapping[str, Iterable[str]]) -> None:
    """Add origins to this response's CSP, per directive, for a page that needs them.

    Such as Stripe.js on the pages that take a payment. ``sources`` maps a
    directive (``script-src``, ``frame-src``, ``connect-src``, ``img-src``)
    to the origins it adds; a directive not listed keeps the default.
    """
    allowed = g.setdefault("csp_sources", {})
    for directive, origins in sources.items():
        allowed.setdefault(directive, []).extend(origins)


def _directive(name: str, *defaults: str) -> str:
    """Return a CSP directive with its default sources and those a page added."""
    added = g.get("csp_sources", {}).get(name, [])
    return " ".join([name, *dict.fromkeys([*defaults, *added])])


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(_reject_control_characters)
    app.after_request(_set_headers)


def _reject_control_characters() -> None:
    """Reject a URL whose path or query string contains a control character."""
    parts = [request.path]
    for name, value in request.args.items(multi=True):
        parts += (name, value)
    if any(CONTROL_CHARACTERS.search(part) for part in parts):
        abort(
            400,
            description=(
                "The address contains a control character, such as %00, which "
                "is not allowed. Remove it from the address or the filter and "
                "try again."
            ),
        )


def _extra_directives() -> list[str]:
    """Return frame-src and connect-src when a page added origins to them.

    Without them both fall back to ``default-src 'self'``. A page with a
    frame-src names exactly the frames it shows, without 'self'.
    """
    added = g.get("csp_sources", {})
    directives = []
    if added.get("frame-src"):
        directives.append(_directive("frame-src"))
    if added.get("connect-src"):
        directives.append(_directive("connect-src", SELF))
    return directives


def _set_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce")
    style_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    frame_ancestors = g.get("frame_ancestors", FRAME_ANCESTORS_NONE)
    response.headers["Content-Security-Policy"] = "; ".join(
        [
            "default-src 'self'",
            _directive("script-src", SELF),
            f"style-src {style_src}",
            _directive("img-src", SELF, "data:"),
            *_extra_directives(),
            "object-src 'none'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if frame_ancestors == FRAME_ANCESTORS_NONE:
        response.headers["X-Frame-Options"] = "DENY"
    if current_app.config["KASSA_PRODUCTION"]:
        response.headers["Strict-Transport-Security"] = (
            "max-age=31536000; includeSubDomains"
        )
    return response
