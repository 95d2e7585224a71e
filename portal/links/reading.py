"""Checking a payment link form's values against the catalogue.

Errors are keyed by form field name; a line item's and a custom field's
fields are prefixed with their row's name, as in ``items-0-quantity``.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.catalog.discounts import read_limit
from portal.catalog.errors import FORM, CatalogError, ErrorCollector
from portal.catalog.local_time import check_future, parse_local
from portal.catalog.text import clean_line, clean_text, parse_choice, parse_id
from portal.links.inputs import (
    DEFAULT_MAX_QUANTITY,
    MAX_ITEMS,
    MAX_QUANTITY,
    CustomFieldInput,
    ItemInput,
    LinkInput,
)
from portal.links.recurrence import (
    RecurrenceInput,
    read_recurrence,
    recurring_frequency,
)
from portal.links.slugs import check_slug
from portal.models import (
    Collect,
    CustomFieldKind,
    Discount,
    Fee,
    PaymentLink,
    Price,
    PriceKind,
    TaxRate,
)
from portal.models.payment_links import MAX_CUSTOM_FIELDS, check_redirect_url
from portal.origins import parse_allowed_origins

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000
MAX_MESSAGE_LENGTH = 2000
MAX_URL_LENGTH = 2000
MAX_LABEL_LENGTH = 200
MAX_OPTIONS = 30
MAX_OPTION_LENGTH = 100

Row = tuple[str, Mapping[str, object]]  # a row's name prefix and its values


def read_link(
    session: Session,
    data: Mapping[str, object],
    items: Sequence[Row],
    custom_fields: Sequence[Row],
    *,
    currencies: Sequence[str],
    timezone: str,
    now: datetime,
    current: PaymentLink | None = None,
) -> LinkInput:
    """Check every option of a payment link form.

    ``current`` is the link being edited. It may keep what it already has
    (its currency, an archived price, an inactive tax rate or discount, an
    expiry in the past), while new choices must be usable now. Raises
    ``InvalidInput`` naming each bad field.
    """
    collector = ErrorCollector()
    title = collector.check(
        clean_line, data.get("title"), "title", MAX_TITLE_LENGTH, "title", required=True
    )
    description = collector.check(
        clean_text,
        data.get("description"),
        "description",
        MAX_DESCRIPTION_LENGTH,
        "description",
    )
    currency = collector.check(
        _read_currency, data.get("currency"), currencies, current
    )
    slug_text = str(data.get("slug") or "").strip()
    slug = collector.check(check_slug, slug_text) if slug_text else None
    if current is not None and not slug_text:
        collector.errors["slug"] = "Enter the URL ending, such as summer-sale."

    known = _Known(session, current)
    item_inputs = _read_items(collector, items, currency, known)
    fee_ids = collector.check(_read_fees, session, data.get("fee_ids"), currency)
    field_inputs = _read_custom_fields(collector, custom_fields)

    collect = {
        name: parse_choice(Collect, data.get(name))
        for name in ("collect_name", "collect_address", "collect_phone")
    }
    for name, setting in collect.items():
        if setting is None:
            collector.errors[name] = "Choose off, optional or required."

    message = collector.check(
        clean_text,
        data.get("after_payment_message"),
        "after-payment message",
        MAX_MESSAGE_LENGTH,
        "after_payment_message",
    )
    url = collector.check(_read_redirect_url, data.get("after_payment_url"))
    if message and url:
        collector.errors.setdefault(
            "after_payment_url",
            "Use either an after-payment message or an after-payment URL, not "
            "both: a buyer sent to the URL never sees the message.",
        )
    expires_at = collector.check(
        parse_local, str(data.get("expires_at") or ""), timezone, "expires_at"
    )
    if current is None or expires_at != current.expires_at:
        collector.check(check_future, expires_at, now, "expiry", "expires_at")
    max_payments = collector.check(read_limit, data.get("max_payments"), "max_payments")
    origins = collector.check(_read_origins, data.get("allowed_origins"))
    recurrence = _read_subscription_options(
        collector, session, data, (items, item_inputs), currency, timezone, now, current
    )

    collector.raise_any()
    return LinkInput(
        title=title,
        description=description,
        currency=currency,
        slug=slug,
        items=tuple(item_inputs),
        fee_ids=tuple(fee_ids),
        allow_discount_codes=bool(data.get("allow_discount_codes")),
        allow_bank_debit=bool(data.get("allow_bank_debit")),
        collect_name=collect["collect_name"],
        collect_address=collect["collect_address"],
        collect_phone=collect["collect_phone"],
        custom_fields=tuple(field_inputs),
        after_payment_message=message,
        after_payment_url=url,
        expires_at=expires_at,
        max_payments=max_payments,
        allowed_origins=origins,
        trial_days=recurrence.trial_days,
        start_delay=recurrence.start_delay,
        start_delay_unit=recurrence.start_delay_unit,
        start_on=recurrence.start_on,
    )


def _read_subscription_options(
    collector: ErrorCollector,
    session: Session,
    data: Mapping[str, object],
    items: tuple[Sequence[Row], Sequence[ItemInput]],
    currency: str | None,
    timezone: str,
    now: datetime,
    current: PaymentLink | None,
) -> RecurrenceInput:
    """Check the recurring prices together, then the start and trial options.

    ``items`` holds the submitted rows and the rows that passed their checks.
    The submitted rows decide whether the link is recurring, so that a
    recurring line with a bad quantity does not also fail the start options.
    """
    rows, checked = items
    collector.check(recurring_frequency, session, checked, currency)
    recurrence = collector.check(
        read_recurrence,
        data,
        recurring=_has_recurring_price(session, rows),
        timezone=timezone,
        now=now,
        current=current,
    )
    return recurrence or RecurrenceInput()


def _has_recurring_price(session: Session, rows: Sequence[Row]) -> bool:
    ids = [parse_id(values.get("price_id")) for _prefix, values in rows]
    chosen = [price_id for price_id in ids if price_id is not None]
    if not chosen:
        return False
    found = session.scalar(
        select(Price.id).where(Price.id.in_(chosen), Price.kind == PriceKind.RECURRING)
    )
    return found is not None


class _Known:
    """The catalogue rows a link already uses, which it may keep once archived."""

    def __init__(self, session: Session, current: PaymentLink | None) -> None:
        self.session = session
        items = current.items if current is not None else []
        self.price_ids = {item.price_id for item in items}
        self.tax_rate_ids = {item.tax_rate_id for item in items} - {None}
        self.discount_ids = {item.discount_id for item in items} - {None}


def _read_currency(
    value: object, currencies: Sequence[str], current: PaymentLink | None
) -> str:
    currency = str(value or "").strip().upper()
    allowed = list(currencies)
    if current is not None and current.currency not in allowed:
        allowed.append(current.currency)
    if currency not in allowed:
        raise CatalogError(
            f"Choose one of the accepted currencies: {', '.join(allowed)}.", "currency"
        )
    return currency


def _read_items(
    collector: ErrorCollector, rows: Sequence[Row], currency: str | None, known: _Known
) -> list[ItemInput]:
    if not rows:
        collector.errors.setdefault(
            FORM, "Add at least one line item: a payment link sells something."
        )
        return []
    if len(rows) > MAX_ITEMS:
        collector.errors.setdefault(
            FORM, f"A payment link has at most {MAX_ITEMS} line items."
        )
        return []
    items = []
    for prefix, values in rows:
        item = collector.check(_read_item, prefix, values, currency, known)
        if item is not None:
            items.append(item)
    return items


def _read_item(
    prefix: str, values: Mapping[str, object], currency: str | None, known: _Known
) -> ItemInput:
    collector = ErrorCollector()
    price_id = collector.check(
        _read_price, known, values.get("price_id"), currency, prefix
    )
    adjustable = bool(values.get("adjustable_quantity"))
    quantity = collector.check(
        _read_quantity, values.get("quantity"), "quantity", f"{prefix}-quantity"
    )
    low, high = 1, max(DEFAULT_MAX_QUANTITY, quantity or 1)
    if adjustable:
        low = collector.check(
            _read_quantity,
            values.get("min_quantity"),
            "minimum",
            f"{prefix}-min_quantity",
        )
        high = collector.check(
            _read_quantity,
            values.get("max_quantity"),
            "maximum",
            f"{prefix}-max_quantity",
        )
        if low is not None and high is not None and high < low:
            collector.errors[f"{prefix}-max_quantity"] = (
                f"The maximum {high} is below the minimum {low}. Enter a maximum "
                f"of at least {low}."
            )
        elif None not in (low, high, quantity) and not low <= quantity <= high:
            collector.errors[f"{prefix}-quantity"] = (
                f"The quantity {quantity} is outside {low} to {high}. Enter a "
                "quantity between the minimum and the maximum."
            )
    tax_rate_id = collector.check(
        _read_optional,
        known,
        TaxRate,
        values.get("tax_rate_id"),
        f"{prefix}-tax_rate_id",
    )
    discount_id = collector.check(
        _read_line_discount, known, values.get("discount_id"), currency, prefix
    )
    collector.raise_any()
    return ItemInput(
        price_id=price_id,
        quantity=quantity,
        adjustable_quantity=adjustable,
        min_quantity=low,
        max_quantity=high,
        tax_rate_id=tax_rate_id,
        discount_id=discount_id,
    )


def _read_price(known: _Known, value: object, currency: str | None, prefix: str) -> int:
    field = f"{prefix}-price_id"
    price_id = parse_id(value)
    price = known.session.get(Price, price_id) if price_id is not None else None
    usable = price is not None and price.active and price.product.active
    if price is None or not (usable or price.id in known.price_ids):
        raise CatalogError("Choose a price from the list.", field)
    if currency is not None and price.currency != currency:
        raise CatalogError(
            f"This price is in {price.currency}, but the link is in {currency}. "
            f"Choose a {currency} price or change the link's currency.",
            field,
        )
    return price.id


def _read_quantity(value: object, label: str, field: str) -> int:
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_QUANTITY:
        raise CatalogError(
            f"Enter a whole number from 1 to {MAX_QUANTITY} as the {label}.", field
        )
    return int(text)


def _read_optional(
    known: _Known, model: type[TaxRate], value: object, field: str
) -> int | None:
    if not str(value or "").strip():
        return None
    rate_id = parse_id(value)
    rate = known.session.get(model, rate_id) if rate_id is not None else None
    if rate is None or not (rate.active or rate.id in known.tax_rate_ids):
        raise CatalogError("Choose an active tax rate from the list, or none.", field)
    return rate.id


def _read_line_discount(
    known: _Known, value: object, currency: str | None, prefix: str
) -> int | None:
    field = f"{prefix}-discount_id"
    if not str(value or "").strip():
        return None
    discount_id = parse_id(value)
    discount = known.session.get(Discount, discount_id) if discount_id else None
    if discount is None or not (discount.active or discount.id in known.discount_ids):
        raise CatalogError("Choose an active discount from the list, or none.", field)
    if discount.amount_off is not None and discount.currency != currency:
        raise CatalogError(
            f"{discount.name} takes an amount off in {discount.currency}, but the "
            f"link is in {currency}. Choose a percent discount or one in {currency}.",
            field,
        )
    return discount.id


def _read_fees(session: Session, value: object, currency: str | None) -> list[int]:
    if isinstance(value, str) or value is None:
        values = [value] if value else []
    else:
        values = list(value)
    ids = [parse_id(entry) for entry in values]
    chosen = [fee_id for fee_id in ids if fee_id is not None]
    fees = session.scalars(select(Fee).where(Fee.id.in_(chosen))).all()
    if None in ids or len(fees) != len(set(ids)):
        raise CatalogError("Choose fees from the list.", "fee_ids")
    for fee in fees:
        if fee.flat_amount is not None and fee.currency != currency:
            raise CatalogError(
                f"The fee {fee.name} is in {fee.currency}, but the link is in "
                f"{currency}. Choose fees in {currency} or percent fees.",
                "fee_ids",
            )
    return sorted({fee.id for fee in fees}, key=ids.index)


def _read_custom_fields(
    collector: ErrorCollector, rows: Sequence[Row]
) -> list[CustomFieldInput]:
    if len(rows) > MAX_CUSTOM_FIELDS:
        collector.errors.setdefault(
            FORM, f"A payment link has at most {MAX_CUSTOM_FIELDS} custom fields."
        )
        return []
    fields: list[CustomFieldInput] = []
    for prefix, values in rows:
        custom = collector.check(_read_custom_field, prefix, values)
        if custom is None:
            continue
        if any(other.label.lower() == custom.label.lower() for other in fields):
            collector.errors[f"{prefix}-label"] = (
                f"Another custom field is labelled {custom.label!r}. Give each "
                "field its own label, because orders record answers by label."
            )
            continue
        fields.append(custom)
    return fields


def _read_custom_field(prefix: str, values: Mapping[str, object]) -> CustomFieldInput:
    collector = ErrorCollector()
    label = collector.check(
        clean_line,
        values.get("label"),
        "label",
        MAX_LABEL_LENGTH,
        f"{prefix}-label",
        required=True,
    )
    kind = parse_choice(CustomFieldKind, values.get("kind"))
    if kind is None:
        collector.errors[f"{prefix}-kind"] = "Choose text, number or dropdown."
    options: list[str] = []
    if kind is CustomFieldKind.DROPDOWN:
        options = collector.check(_read_options, values.get("options"), prefix) or []
    collector.raise_any()
    return CustomFieldInput(
        label=label,
        kind=kind,
        required=bool(values.get("required")),
        options=tuple(options),
    )


def _read_options(value: object, prefix: str) -> list[str]:
    field = f"{prefix}-options"
    options: list[str] = []
    for line in str(value or "").splitlines():
        option = clean_line(line, "option", MAX_OPTION_LENGTH, field, required=False)
        if option and option not in options:
            options.append(option)
    if not options:
        raise CatalogError("Enter the dropdown's options, one per line.", field)
    if len(options) > MAX_OPTIONS:
        raise CatalogError(
            f"{len(options)} options are listed. Use at most {MAX_OPTIONS}.", field
        )
    return options


def _read_redirect_url(value: object) -> str | None:
    text = clean_line(
        str(value or ""),
        "after-payment URL",
        MAX_URL_LENGTH,
        "after_payment_url",
        required=False,
    )
    if text is None:
        return None
    try:
        return check_redirect_url(text)
    except ValueError as error:
        raise CatalogError(
            f"{error} Enter an address such as https://shop.example/thanks.",
            "after_payment_url",
        ) from None


def _read_origins(value: object) -> list[str]:
    try:
        return parse_allowed_origins(str(value or ""))
    except ValueError as error:
        raise CatalogError(str(error), "allowed_origins") from None
