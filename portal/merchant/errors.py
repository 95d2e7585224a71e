"""Error pages of the back office that differ from the buyer-facing ones."""

import logging

from flask import Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from portal.merchant import blueprint

logger = logging.getLogger(__name__)

FORM_EXPIRED = (
    "This form has expired because you signed in again or the page was open "
    "too long. Reload the page and try again."
)

BAD_REQUEST = (
    "The request could not be read. Check the address and the values you "
    "entered, then try again."
)


@blueprint.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """Respond to a missing or stale CSRF token with 400 in the back-office layout.

    An htmx request gets only the message, put at the top of the page's main
    area by ``HX-Retarget`` and ``HX-Reswap``; merchant.js lets htmx swap it.
    """
    logger.info("CSRF check failed on %s: %s", request.endpoint, error.description)
    if request.headers.get("HX-Request") == "true":
        notice = render_template(
            "merchant/partials/form_expired.html", message=FORM_EXPIRED
        )
        headers = {"HX-Retarget": "#main", "HX-Reswap": "afterbegin"}
        return notice, 400, headers
    page = render_template(
        "merchant/error.html", title="Form expired", message=FORM_EXPIRED
    )
    return page, 400


@blueprint.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    """Respond to a 400 in the back-office layout, or as plain text for a CSV export.

    A stale CSRF token, also a ``BadRequest``, has its own handler above.
    The message is the error's own description when the code that raised it
    gave one, such as for a control character in the address.
    """
    logger.info("bad request to %s", request.endpoint)
    message = BAD_REQUEST
    if error.description and error.description != BadRequest.description:
        message = error.description
    if request.path.endswith(".csv"):
        return Response(message + "\n", status=400, mimetype="text/plain")
    page = render_template("merchant/error.html", title="Bad request", message=message)
    return page, 400
