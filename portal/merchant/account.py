"""My account: the signed-in staff member's password and sign-in sessions."""

import logging

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from portal.database import get_session, now_utc
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff, record_staff_action
from portal.merchant.forms import PasswordChangeForm
from portal.merchant.permissions import Permission
from portal.models import StaffSession
from portal.staff.accounts import set_password
from portal.staff.passwords import verify_password
from portal.staff.sessions import IDLE_TIMEOUT, hash_token, revoke_all_sessions

logger = logging.getLogger(__name__)


def _render_account(form: PasswordChangeForm, status: int = 200):
    staff = current_staff()
    sessions = get_session().scalars(
        select(StaffSession)
        .where(
            StaffSession.staff_id == staff.id,
            StaffSession.revoked_at.is_(None),
            StaffSession.last_seen_at > now_utc() - IDLE_TIMEOUT,
        )
        .order_by(StaffSession.last_seen_at.desc())
    )
    page = render_template(
        "merchant/account.html",
        form=form,
        sessions=list(sessions),
        current_hash=hash_token(staff.session_token or ""),
    )
    return page, status


@blueprint.get("/account")
@requires(Permission.VIEW)
def account():
    return _render_account(PasswordChangeForm())


@blueprint.post("/account/password")
@requires(Permission.VIEW)
def change_password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _render_account(form, 422)
    staff = current_staff()
    if not verify_password(staff.password_hash, form.current_password.data):
        form.current_password.errors.append("The current password is incorrect.")
        return _render_account(form, 422)
    if form.new_password.data == form.current_password.data:
        form.new_password.errors.append(
            "The new password is the same as the current one: choose another."
        )
        return _render_account(form, 422)

    session = get_session()
    set_password(session, staff, form.new_password.data)
    ended = revoke_all_sessions(
        session, staff, now_utc(), keep_token=staff.session_token
    )
    record_staff_action(
        session, subject_type="staff", subject_id=staff.id, action="password_changed"
    )
    session.commit()
    logger.info("staff %s changed their password", staff.id)
    flash(_signed_out_message("Your password is changed.", ended), "success")
    return redirect(url_for("merchant.account"))


@blueprint.post("/account/sessions/revoke-others")
@requires(Permission.VIEW)
def revoke_other_sessions():
    staff = current_staff()
    session = get_session()
    ended = revoke_all_sessions(
        session, staff, now_utc(), keep_token=staff.session_token
    )
    record_staff_action(
        session,
        subject_type="staff",
        subject_id=staff.id,
        action="other_sessions_revoked",
        details={"count": str(ended)},
    )
    session.commit()
    flash(_signed_out_message("", ended) or "No other session was open.", "success")
    return redirect(url_for("merchant.account"))


def _signed_out_message(lead: str, ended: int) -> str:
    if not ended:
        return lead
    sessions = "session" if ended == 1 else "sessions"
    return f"{lead} {ended} other {sessions} signed out.".strip()
