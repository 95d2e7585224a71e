"""Error pages: a plain sentence and the right status, never a stack trace."""

import logging
from urllib.parse import urlsplit

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _form_expired)
    app.register_error_handler(InternalServerError, _server_error)


def _server_error(error: InternalServerError):
    """Render the error page of an unhandled exception, which Flask has logged."""
    page = render_template(
        "errors.html",
        title=_("Something went wrong"),
        message=_(
            "We could not finish your request. Try again in a moment; if it "
            "happens again, contact the business you were paying."
        ),
    )
    return page, 500


def _form_expired(error: CSRFError):
    """Tell the buyer that a form's CSRF token is missing or stale, with a reload link.

    The back office has its own handler in ``portal.merchant.errors``.
    """
    logger.info("CSRF check failed on %s: %s", request.endpoint, error.description)
    page = render_template(
        "errors.html",
        title=_("Form expired"),
        message=_(
            "This form has expired, for example because the page was open for a "
            "long time. Reload the form and send it again."
        ),
        reload_url=_form_page_url(),
    )
    return page, 400


def _form_page_url() -> str | None:
    """Return the path of the page that sent the form, when it is on this site.

    Only the path and query of a same-host referrer are used, so the link
    cannot lead to another site.
    """
    if not request.referrer:
        return None
    referrer = urlsplit(request.referrer)
    if referrer.scheme not in ("http", "https") or referrer.netloc != request.host:
        return None
    path = referrer.path or "/"
    return f"{path}?{referrer.query}" if referrer.query else path


def _http_error(error: HTTPException):
    titles = {
        400: (
            _("Bad request"),
            _("The request could not be read. Go back and try again."),
        ),
        404: (
            _("Page not found"),
            _("Check the link you followed; it may be mistyped."),
        ),
        405: (_("Method not allowed"), _("This page cannot be used that way.")),
        413: (
            _("Too much data"),
            _("The form holds more than it can take. Shorten what you typed."),
        ),
        429: (
            _("Too many attempts"),
            _("There were too many attempts. Wait a minute and try again."),
        ),
    }
    title, message = titles.get(
        error.code, (error.name, error.description or _("The request failed."))
    )
    # Keep the exception's own headers, such as Allow on a 405.
    headers = [
        (name, value)
        for name, value in error.get_headers()
        if name.lower() != "content-type"
    ]
    page = render_template("errors.html", title=title, message=message)
    return page, error.code, headers
