"""A buyer signer's page: read the whole quote, then sign or decline it.

The forms carry Flask-WTF's CSRF token. Signing and declining redirect to
the signer's page, so a reload never submits twice, and a double submit is
returns the first signature, as ``portal.quotes.signing``.
"""

from flask import abort, redirect, request, url_for

from portal.businesses import get_business
from portal.database import get_session, now_utc
from portal.extensions import client_address
from portal.i18n import current_locale
from portal.models import Quote, QuoteSigner
from portal.quotes.consent import CONSENT_VERSION, consent_text
from portal.quotes.signing import (
    SignatureInput,
    SigningError,
    decline,
    find_buyer,
    record_view,
    show_terms,
    sign,
    signer_actor,
    signing_refusal,
)
from portal.quotes.views import blueprint, load_quote, render_quote


def load_signer(quote: Quote, signer_token: str) -> QuoteSigner:
    signer = find_buyer(get_session(), quote, signer_token)
    if signer is None:
        abort(404)
    return signer


@blueprint.get("/quotes/<token>/sign/<signer_token>")
def signer_page(token: str, signer_token: str):
    quote = load_quote(token)
    signer = load_signer(quote, signer_token)
    session = get_session()
    address = client_address()
    record_view(session, quote, actor=signer_actor(signer), client_address=address)
    refusal = _refusal(quote, signer)
    if refusal is None:
        # This response shows the whole quote and its terms above the form.
        show_terms(session, signer, client_address=address)
    return render_signer(quote, signer)


@blueprint.post("/quotes/<token>/sign/<signer_token>")
def sign_quote(token: str, signer_token: str):
    quote = load_quote(token)
    signer = load_signer(quote, signer_token)
    form = request.form
    signature = SignatureInput(
        typed_name=form.get("typed_name", ""),
        consented=form.get("consent") == "yes",
        client_address=client_address(),
        user_agent=request.headers.get("User-Agent"),
        drawn_signature=form.get("drawn_signature") or None,
    )
    try:
        sign(get_session(), signer, signature)
    except SigningError as error:
        values = {"typed_name": form.get("typed_name", "").strip()}
        if signature.consented:
            values["consent"] = "yes"
        return _signing_failed(quote, signer, error, values)
    return redirect(_signer_url(quote, signer), 303)


@blueprint.post("/quotes/<token>/decline/<signer_token>")
def decline_quote(token: str, signer_token: str):
    quote = load_quote(token)
    signer = load_signer(quote, signer_token)
    reason = request.form.get("reason", "")
    try:
        decline(
            get_session(),
            signer,
            reason,
            client_address=client_address(),
            user_agent=request.headers.get("User-Agent"),
        )
    except SigningError as error:
        return _signing_failed(quote, signer, error, {"reason": reason.strip()})
    return redirect(_signer_url(quote, signer), 303)


def render_signer(
    quote: Quote,
    signer: QuoteSigner,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
):
    business = get_business(get_session())
    refusal = _refusal(quote, signer)
    signing = {
        "refusal": refusal,
        "can_sign": refusal is None and signer.terms_shown_at is not None,
        "consent_text": consent_text(
            current_locale(), business.name, quote.consent_version or CONSENT_VERSION
        ),
        "values": values or {},
        "errors": errors or {},
        "message": message,
    }
    return render_quote(quote, signer=signer, signing=signing, status=status)


def _signing_failed(
    quote: Quote, signer: QuoteSigner, error: SigningError, values: dict[str, str]
):
    get_session().refresh(quote)
    errors = {error.field: error.message} if error.field else {}
    message = None if error.field else error.message
    return render_signer(
        quote,
        signer,
        values=values,
        errors=errors,
        message=message,
        status=error.status_code,
    )


def _refusal(quote: Quote, signer: QuoteSigner) -> str | None:
    business = get_business(get_session())
    return signing_refusal(quote, signer, now_utc(), business.timezone)


def _signer_url(quote: Quote, signer: QuoteSigner) -> str:
    return url_for("quotes.signer_page", token=quote.token, signer_token=signer.token)
