"""A quote's content as buyer-facing text, shared by its page, PDF and emails.

Labels go through gettext, so build these inside the buyer's locale (a
request, or ``force_locale`` for a PDF or an email).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_percent
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.account.subscription_facts import frequency_label
from portal.documents.facts import HEX_COLOR, local_datetime
from portal.documents.summary import (
    OrderSummary,
    format_tax_percent,
    summarise_order,
)
from portal.models import (
    Business,
    InstalmentDue,
    InstalmentStatus,
    Quote,
    QuoteInstalment,
    QuoteRecurringLine,
    QuoteSigner,
    QuoteStatus,
    SignerRole,
)
from portal.money import format_money
from portal.quotes.expiry import is_expired


@dataclass(frozen=True, slots=True)
class RecurringRow:
    description: str
    quantity: int
    unit_amount: str  # per billing period
    amount: str  # unit amount x quantity, per billing period
    interval: str  # "every month"
    tax: str | None  # "VAT 24%", or None without a tax rate


@dataclass(frozen=True, slots=True)
class InstalmentRow:
    label: str  # "Instalment 1 of 3"
    share: str | None  # "33.34%" for an instalment entered as a percent
    amount: str
    due: str  # "Due on acceptance", "Due on 1 April 2027"
    status: str | None  # None until the quote is accepted
    status_kind: str  # an InstalmentStatus value, for styling


@dataclass(frozen=True, slots=True)
class SignerRow:
    name: str
    role: str  # "Buyer" or "Countersigner"
    state: str  # "Signed on …", "Declined on …", "Not signed yet"
    state_kind: str  # "signed", "declined" or "waiting"


@dataclass(frozen=True, slots=True)
class QuoteFacts:
    number: str
    title: str
    status: str
    status_kind: str  # a QuoteStatus value, or "expired" once past the date
    expired: bool
    expires_on: str
    summary: OrderSummary
    recurring: tuple[RecurringRow, ...]
    schedule: tuple[InstalmentRow, ...]
    signers: tuple[SignerRow, ...]
    terms_lines: tuple[str, ...]
    cover_lines: tuple[str, ...]
    brand_color: str  # #rrggbb, safe in a stylesheet


def quote_facts(
    quote: Quote, business: Business, locale: str, now: datetime
) -> QuoteFacts:
    """Format everything a buyer reads about ``quote`` in ``locale``."""
    expired = quote.status is QuoteStatus.EXPIRED or (
        quote.status in (QuoteStatus.PUBLISHED, QuoteStatus.VIEWED, QuoteStatus.SIGNED)
        and is_expired(quote, now, business.timezone)
    )
    status_kind = "expired" if expired else quote.status.value
    count = len(quote.instalments)
    return QuoteFacts(
        number=quote.display_number or "",
        title=quote.title,
        status=quote_status_label(quote.status, expired=expired),
        status_kind=status_kind,
        expired=expired,
        expires_on=format_date(quote.expires_on, "long", locale=locale),
        summary=summarise_order(quote.order, locale),
        recurring=tuple(
            recurring_row(line, quote.currency, locale)
            for line in quote.recurring_lines
        ),
        schedule=tuple(
            instalment_row(instalment, count, quote, locale)
            for instalment in quote.instalments
        ),
        signers=tuple(
            signer_row(signer, business.timezone, locale) for signer in quote.signers
        ),
        terms_lines=tuple((quote.terms or "").splitlines()),
        cover_lines=tuple((quote.cover_text or "").splitlines()),
        brand_color=quote_color(quote),
    )


def quote_color(quote: Quote) -> str:
    """Return the quote's brand colour, or the default when it is not #rrggbb."""
    color = quote.brand_color or ""
    return color if HEX_COLOR.fullmatch(color) else "#0a5fff"


def quote_status_label(status: QuoteStatus, *, expired: bool = False) -> str:
    if expired:
        return _("Expired")
    labels = {
        QuoteStatus.DRAFT: _("Draft"),
        QuoteStatus.PENDING_APPROVAL: _("Draft"),
        QuoteStatus.PUBLISHED: _("Awaiting signature"),
        QuoteStatus.VIEWED: _("Awaiting signature"),
        QuoteStatus.SIGNED: _("Awaiting countersignature"),
        QuoteStatus.ACCEPTED: _("Accepted"),
        QuoteStatus.PAID: _("Paid"),
        QuoteStatus.DECLINED: _("Declined"),
        QuoteStatus.EXPIRED: _("Expired"),
        QuoteStatus.VOID: _("Withdrawn"),
    }
    return labels[status]


def recurring_row(line: QuoteRecurringLine, currency: str, locale: str) -> RecurringRow:
    tax = None
    if line.tax_rate is not None:
        tax = (
            f"{line.tax_rate.name} {format_tax_percent(line.tax_rate.percent, locale)}"
        )
        if line.tax_rate.inclusive:
            tax = _("%(tax)s (included)", tax=tax)
    return RecurringRow(
        description=line.description,
        quantity=line.quantity,
        unit_amount=format_money(line.unit_amount, currency, locale),
        amount=format_money(line.unit_amount * line.quantity, currency, locale),
        interval=frequency_label(line.price.frequency),
        tax=tax,
    )


def instalment_row(
    instalment: QuoteInstalment, count: int, quote: Quote, locale: str
) -> InstalmentRow:
    share = None
    if instalment.percent is not None:
        fraction = (Decimal(instalment.percent) / 100).normalize()
        share = format_percent(fraction, locale=locale, decimal_quantization=False)
    accepted = quote.accepted_at is not None
    return InstalmentRow(
        label=_(
            "Instalment %(number)d of %(count)d",
            number=instalment.position + 1,
            count=count,
        ),
        share=share,
        amount=format_money(instalment.amount, quote.currency, locale),
        due=due_label(instalment, locale),
        status=instalment_status_label(instalment.status) if accepted else None,
        status_kind=instalment.status.value,
    )


def due_label(instalment: QuoteInstalment, locale: str) -> str:
    """Say when an instalment is due: a date once known, else the rule."""
    if instalment.due_on is not None:
        day = format_date(instalment.due_on, "long", locale=locale)
        return _("Due on %(date)s", date=day)
    if instalment.due is InstalmentDue.ON_SIGNATURE:
        return _("Due on acceptance")
    days = instalment.days or 0
    return ngettext(
        "Due %(num)d day after acceptance", "Due %(num)d days after acceptance", days
    )


def instalment_status_label(status: InstalmentStatus) -> str:
    labels = {
        InstalmentStatus.PENDING: _("Not paid yet"),
        InstalmentStatus.INVOICED: _("Invoiced"),
        InstalmentStatus.PROCESSING: _("Processing"),
        InstalmentStatus.REQUIRES_ACTION: _("Waiting for your confirmation"),
        InstalmentStatus.PAID: _("Paid"),
        InstalmentStatus.FAILED: _("Payment failed"),
        InstalmentStatus.UNCOLLECTIBLE: _("Not collected"),
    }
    return labels[status]


def signer_row(signer: QuoteSigner, timezone: str, locale: str) -> SignerRow:
    role = _("Buyer") if signer.role is SignerRole.BUYER else _("Countersigner")
    if signer.signed_at is not None:
        when = local_datetime(signer.signed_at, timezone, locale)
        return SignerRow(
            signer.name, role, _("Signed on %(date)s", date=when), "signed"
        )
    if signer.declined_at is not None:
        when = local_datetime(signer.declined_at, timezone, locale)
        state = _("Declined on %(date)s", date=when)
        return SignerRow(signer.name, role, state, "declined")
    return SignerRow(signer.name, role, _("Not signed yet"), "waiting")
