"""Response headers that hold for every page, and the per-request CSP nonce."""

import secrets

from flask import Flask, Response, current_app, g

FRAME_ANCESTORS_NONE = "'none'"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_set_headers)


def _set_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce")
    style_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    frame_ancestors = g.get("frame_ancestors", FRAME_ANCESTORS_NONE)
    response.headers["Content-Security-Policy"] = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style_src}",
            "img-src 'self' data:",
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
