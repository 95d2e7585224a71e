"""The signed-in customer of a request, read from the account area's own cookie.

The back office's Flask-Login session is the staff's, so customers get a
separate cookie: a signed value carrying the random token of a row in
``customer_sessions``. The signature lets a tampered cookie be dropped
before any database look-up.
"""

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from portal.account import clock
from portal.account.sessions import SESSION_LIFETIME, find_session, needs_touch
from portal.database import get_session, new_session
from portal.models import Contact, CustomerSession

COOKIE_NAME = "kassa_customer"
COOKIE_PATH = "/account"
COOKIE_SALT = "kassa.customer-session"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=COOKIE_SALT)


def session_token() -> str | None:
    """Return the session token in this request's cookie, if it is signed by us."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return None
    try:
        token = _serializer().loads(value)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def current_customer() -> Contact | None:
    """Return the contact of this request's live session, loading it once."""
    if "account_customer" not in g:
        g.account_customer = _load_customer()
    return g.account_customer


def _load_customer() -> Contact | None:
    token = session_token()
    if token is None:
        return None
    now = clock.now()
    found = find_session(get_session(), token, now)
    if found is None:
        return None
    if needs_touch(found, now):
        # A separate session, so this commit never includes a view's changes.
        with new_session() as touch:
            touch.execute(
                update(CustomerSession)
                .where(CustomerSession.id == found.id)
                .values(last_seen_at=now)
            )
            touch.commit()
    return found.contact


def set_session_cookie(response: Response, token: str) -> None:
    """Set the cookie that carries ``token``, marked Secure when served over https."""
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(token),
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path=COOKIE_PATH,
        secure=request.scheme == "https",
        httponly=True,
        samesite="Lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        COOKIE_NAME,
        path=COOKIE_PATH,
        secure=request.scheme == "https",
        httponly=True,
        samesite="Lax",
    )
