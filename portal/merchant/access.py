"""Who may open which back-office page.

Every view of the merchant blueprint declares its access with ``@requires``
or ``@public``; the blueprint's ``before_request`` enforces it::

    @blueprint.get("/payments")
    @requires(Permission.VIEW)
    def payments(): ...

A view that declares nothing is refused with 403 and an error in the log,
so a forgotten declaration locks a page rather than opening it.
"""

import logging
from collections.abc import Callable
from typing import Final, Literal, TypeVar
from urllib.parse import urlencode

from flask import Response, abort, current_app, request, url_for
from flask_login import current_user

from portal.merchant.permissions import Permission, has_permission

logger = logging.getLogger(__name__)

ACCESS_ATTRIBUTE: Final = "merchant_access"
PUBLIC: Final = "public"

View = TypeVar("View", bound=Callable[..., object])
Access = Permission | Literal["public"]


def requires(permission: Permission) -> Callable[[View], View]:
    """Mark a view as open to staff whose role has ``permission``."""
    permission = Permission(permission)

    def mark(view: View) -> View:
        setattr(view, ACCESS_ATTRIBUTE, permission)
        return view

    return mark


def public(view: View) -> View:
    """Mark a view as open to anyone, signed in or not, such as the sign-in page."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def declared_access(view: Callable[..., object] | None) -> Access | None:
    """Return what the view declared with ``@requires`` or ``@public``, if anything."""
    return getattr(view, ACCESS_ATTRIBUTE, None)


def check_access() -> Response | None:
    """Refuse the request unless the signed-in staff member may open the endpoint."""
    view = current_app.view_functions.get(request.endpoint or "")
    access = declared_access(view)
    if access == PUBLIC:
        return None
    if access is None:
        logger.error("merchant endpoint %s declares no permission", request.endpoint)
        abort(403, description="This page is not open to anyone yet.")
    if not current_user.is_authenticated:
        return sign_in_required()
    if not has_permission(current_user.role, access):
        abort(403, description="Your role does not allow this. Ask an owner.")
    return None


def sign_in_required() -> Response:
    """Send an anonymous request to the sign-in page, to come back afterwards.

    htmx follows no redirect into the page, so its requests get 401 with an
    ``HX-Redirect`` header that makes htmx load the sign-in page instead.
    """
    target = url_for("merchant.login")
    if request.method in ("GET", "HEAD"):
        target += "?" + urlencode({"next": request.full_path.rstrip("?")})
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target
        return response
    response = current_app.response_class(status=302)
    response.headers["Location"] = target
    return response
