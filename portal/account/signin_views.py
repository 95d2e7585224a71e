"""Signing customers in by emailed link, and out again.

Asking for a link gives the same page, status and work whether or not the
email belongs to a contact. The email itself is sent after the response,
so its delivery time does not show either. Opening a link shows a button
that signs in with a POST, because mail scanners that fetch links must not
use them up.
"""

import logging
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import (
    Flask,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.account import blueprint, clock
from portal.account.current import (
    clear_session_cookie,
    current_customer,
    session_token,
    set_session_cookie,
)
from portal.account.emails import build_sign_in_message
from portal.account.link_host import request_host_trusted
from portal.account.next_page import safe_next
from portal.account.sessions import revoke_session, start_session
from portal.account.sign_in_links import (
    LINK_LIFETIME,
    LinkState,
    RequestOutcome,
    SignInLimits,
    find_link,
    request_link,
    use_link,
)
from portal.businesses import get_business
from portal.database import get_session
from portal.extensions import client_address
from portal.i18n import current_locale
from portal.notifications import MailConfigError, MailDeliveryError
from portal.notifications.mailer import send_message
from portal.urls import public_url

logger = logging.getLogger(__name__)

MAX_EMAIL_LENGTH = 320
MAX_TOKEN_LENGTH = 100
LINK_MINUTES = int(LINK_LIFETIME.total_seconds() // 60)


def sign_in_limits() -> SignInLimits:
    config = current_app.config
    return SignInLimits(
        per_email=config["KASSA_ACCOUNT_LINK_LIMIT_PER_EMAIL"],
        per_address=config["KASSA_ACCOUNT_LINK_LIMIT_PER_ADDRESS"],
    )


def read_email(raw: str) -> tuple[str, str | None]:
    """Return the typed email address and an error message when it is invalid."""
    email = raw.strip()
    if not email:
        return email, _("Enter your email address.")
    if len(email) > MAX_EMAIL_LENGTH:
        return email, _("Enter an email address of at most 320 characters.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return email, _("Enter a valid email address, such as name@example.com.")
    return email, None


def _render_sign_in(
    email: str = "",
    error: str | None = None,
    status: int = 200,
    next_page: str | None = None,
):
    business = get_business(get_session())
    page = render_template(
        "account/sign_in.html",
        business=business,
        email=email,
        error=error,
        next_page=next_page,
    )
    return page, status


@blueprint.get("/sign-in")
def sign_in():
    next_page = safe_next(request.args.get("next"))
    if current_customer() is not None:
        return redirect(next_page or url_for("account.home"), 303)
    return _render_sign_in(next_page=next_page)


@blueprint.post("/sign-in")
def request_sign_in_link():
    next_page = safe_next(request.form.get("next"))
    email, error = read_email(request.form.get("email", ""))
    if error is not None:
        return _render_sign_in(email, error, 422, next_page)

    session = get_session()
    limits = sign_in_limits()
    result = request_link(
        session, limits, email=email, client_address=client_address(), now=clock.now()
    )
    if result.outcome is RequestOutcome.THROTTLED:
        session.rollback()
        minutes = limits.wait_minutes
        error = ngettext(
            "Too many sign-in links were requested. Wait %(num)d minute and try again.",
            "Too many sign-in links were requested. Wait %(num)d minutes and "
            "try again.",
            minutes,
        )
        return _render_sign_in(email, error, 429, next_page)
    session.commit()

    # The message is built for unknown addresses too, and dropped, so that
    # both responses take the same work.
    business = get_business(session)
    token = result.token or secrets.token_urlsafe(32)
    message = build_sign_in_message(
        to=result.contact.email if result.contact is not None else email,
        link_url=public_url(
            url_for("account.sign_in_link", token=token, next=next_page)
        ),
        business=business,
        locale=current_locale(),
        minutes=LINK_MINUTES,
    )
    page = render_template("account/link_sent.html", business=business, email=email)
    response = make_response(page)
    if result.token is not None and not request_host_trusted():
        # The page stays the same, so the sender learns nothing either way.
        logger.error(
            "sign-in link of contact %s not sent because the request's host "
            "is not trusted: set KASSA_PUBLIC_URL to the site's address",
            result.contact.id,
        )
    elif result.token is not None:
        app = current_app._get_current_object()
        contact_id = result.contact.id
        response.call_on_close(lambda: _send_after_response(app, message, contact_id))
    return response


def _send_after_response(app: Flask, message, contact_id: int) -> None:
    """Send the sign-in email once the response has gone out."""
    with app.app_context():
        try:
            send_message(message)
        except (MailDeliveryError, MailConfigError, OSError):
            logger.exception(
                "sending the sign-in link of contact %s failed", contact_id
            )


@blueprint.route("/sign-in/<token>", methods=["GET", "POST"])
def sign_in_link(token: str):
    if len(token) > MAX_TOKEN_LENGTH:
        return _render_link_problem(LinkState.UNKNOWN)
    session = get_session()
    now = clock.now()
    state, link = find_link(session, token, now)
    next_page = safe_next(request.args.get("next"))
    if request.method == "GET":
        if state is not LinkState.VALID:
            return _render_link_problem(state)
        business = get_business(session)
        return render_template(
            "account/confirm.html",
            business=business,
            token=token,
            next_page=next_page,
        )

    landing = next_page or url_for("account.home")
    if state is LinkState.VALID and use_link(session, link, now):
        session_token_value = start_session(session, link.contact, now)
        session.commit()
        logger.info("contact %s signed in with link %s", link.contact_id, link.id)
        response = redirect(landing, 303)
        set_session_cookie(response, session_token_value)
        return response

    session.rollback()
    customer = current_customer()
    if link is not None and customer is not None and customer.id == link.contact_id:
        # A second submit of the button that already signed this browser in.
        return redirect(landing, 303)
    return _render_link_problem(
        state if state is not LinkState.VALID else LinkState.USED
    )


def _render_link_problem(state: LinkState):
    """Render the page of a link that cannot sign in, with a form for a new one."""
    messages = {
        LinkState.UNKNOWN: _(
            "This sign-in link is not valid. Check that you copied all of it, "
            "or ask for a new one."
        ),
        LinkState.USED: _(
            "This sign-in link has already been used. Each link works once, so "
            "ask for a new one below."
        ),
        LinkState.EXPIRED: _(
            "This sign-in link has expired. Links work for %(minutes)d minutes, "
            "so ask for a new one below.",
            minutes=LINK_MINUTES,
        ),
    }
    status = 404 if state is LinkState.UNKNOWN else 410
    page = render_template(
        "account/link_problem.html",
        business=get_business(get_session()),
        message=messages[state],
        state=state.value,
    )
    return page, status


@blueprint.post("/sign-out")
def sign_out():
    token = session_token()
    if token is not None:
        session = get_session()
        revoke_session(session, token, clock.now())
        session.commit()
        logger.info("customer session ended by sign-out")
    flash(_("You are signed out."), "success")
    response = redirect(url_for("account.sign_in"), 303)
    clear_session_cookie(response)
    return response
