"""Signing staff in and out, and finding the signed-in staff member of a request."""

import logging

from flask import (
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import update

from portal.database import get_session, new_session, now_utc
from portal.extensions import client_address
from portal.merchant import blueprint
from portal.merchant.access import public
from portal.merchant.forms import SignInForm
from portal.merchant.redirects import safe_next
from portal.models import Staff, StaffSession
from portal.staff import passwords, signin
from portal.staff.passwords import DEFAULT_PROFILE
from portal.staff.sessions import find_session, needs_touch, revoke_session
from portal.staff.throttle import SignInThrottle

logger = logging.getLogger(__name__)

REJECTED_MESSAGE = "Email or password is incorrect."
THROTTLE_EXTENSION = "kassa.sign_in_throttle"

login_manager = LoginManager()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # Not read from the environment: only a test suite sets another profile.
    passwords.use_profile(app.config.get("KASSA_PASSWORD_PROFILE", DEFAULT_PROFILE))
    app.extensions[THROTTLE_EXTENSION] = SignInThrottle(
        app.config["RATELIMIT_STORAGE_URI"],
        per_account=app.config["KASSA_SIGN_IN_LIMIT_PER_ACCOUNT"],
        per_address=app.config["KASSA_SIGN_IN_LIMIT_PER_ADDRESS"],
    )


@login_manager.user_loader
def load_staff(token: str) -> Staff | None:
    """Return the staff member of a live sign-in session, or None."""
    now = now_utc()
    found = find_session(get_session(), token, now)
    if found is None:
        return None
    if needs_touch(found, now):
        # A separate session, so this commit never includes a view's changes.
        with new_session() as touch:
            touch.execute(
                update(StaffSession)
                .where(StaffSession.id == found.id)
                .values(last_seen_at=now)
            )
            touch.commit()
    staff = found.staff
    staff.session_token = token
    return staff


def _after_sign_in_url(form: SignInForm) -> str:
    return safe_next(form.next.data) or url_for("merchant.dashboard")


def _render_login(form: SignInForm, error: str | None = None, status: int = 200):
    page = render_template(
        "merchant/login.html", form=form, error=error, signed_out_layout=True
    )
    return page, status


@blueprint.route("/login", methods=["GET", "POST"])
@public
def login():
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        if current_user.is_authenticated:
            return redirect(_after_sign_in_url(form))
        return _render_login(form)
    if not form.validate_on_submit():
        return _render_login(form, status=422)

    db = get_session()
    throttle = current_app.extensions[THROTTLE_EXTENSION]
    result = signin.sign_in(
        db,
        throttle,
        email=form.email.data,
        password=form.password.data,
        client_address=client_address(),
        user_agent=request.user_agent.string,
        now=now_utc(),
    )
    if result.outcome is signin.Outcome.THROTTLED:
        minutes = throttle.wait_minutes
        error = f"Too many failed sign-ins. Wait {minutes} minutes and try again."
        return _render_login(form, error, 429)
    if result.outcome is signin.Outcome.REJECTED:
        db.rollback()
        return _render_login(form, REJECTED_MESSAGE, 401)

    db.commit()
    target = _after_sign_in_url(form)
    # A fresh cookie session: nothing from before the sign-in carries over.
    session.clear()
    login_user(result.staff)
    return redirect(target)


@blueprint.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        db = get_session()
        revoke_session(db, current_user.session_token, now_utc())
        db.commit()
        logger.info("staff %s signed out", current_user.id)
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("merchant.login"))
