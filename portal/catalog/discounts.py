"""Discounts: a percent or an amount off, redeemable by code when one is set.

Codes are stored upper-case and buyers' codes are matched case-insensitively
(see ``portal.discounts``). A discount without a code applies only where a
payment link puts it on a line item.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.catalog.amounts import parse_amount, parse_currency, parse_percent
from portal.catalog.changes import apply_changes
from portal.catalog.errors import CatalogError, ErrorCollector
from portal.catalog.local_time import check_future, parse_local
from portal.catalog.text import clean_line, parse_choice
from portal.checkout.form import MAX_CODE_LENGTH
from portal.discounts import normalise_code
from portal.models import Discount, PaymentLinkItem

MAX_NAME_LENGTH = 100
MAX_REDEMPTIONS = 2**31 - 1  # an SQL INTEGER column
_CODE = re.compile(r"[A-Z0-9_-]+")


class DiscountKind(StrEnum):
    PERCENT = "percent"
    AMOUNT = "amount"


@dataclass(frozen=True, slots=True)
class DiscountInput:
    name: str
    code: str | None
    percent: Decimal | None
    amount_off: int | None  # minor units of ``currency``
    currency: str | None
    expires_at: datetime | None  # UTC
    max_redemptions: int | None
    active: bool = True


def check_code(value: object) -> str | None:
    """Return a code upper-cased, or None when empty.

    Raises ``CatalogError`` for a code longer than the checkout accepts or
    with characters other than letters A to Z, digits, hyphens and underscores.
    """
    code = normalise_code(str(value or ""))
    if not code:
        return None
    if len(code) > MAX_CODE_LENGTH:
        raise CatalogError(
            f"The code has {len(code)} characters. Use at most {MAX_CODE_LENGTH}.",
            "code",
        )
    if not _CODE.fullmatch(code):
        raise CatalogError(
            f"The code {code!r} contains other characters than letters A to Z, "
            "digits, hyphens and underscores. Use only those, such as SUMMER-10.",
            "code",
        )
    return code


def read_discount(
    data: Mapping[str, object],
    currencies: Sequence[str],
    timezone: str,
    now: datetime,
    current: Discount | None = None,
) -> DiscountInput:
    """Check a discount form's values; raises ``InvalidInput`` naming each bad field.

    ``current`` is the discount being edited: its expiry may stay in the past,
    but a new or changed expiry must be in the future.
    """
    collector = ErrorCollector()
    code = collector.check(check_code, data.get("code"))
    name = collector.check(
        clean_line,
        data.get("name") or code,
        "name",
        MAX_NAME_LENGTH,
        "name",
        required=True,
    )
    kind = parse_choice(DiscountKind, data.get("kind"))
    percent = amount_off = currency = None
    if kind is DiscountKind.PERCENT:
        percent = collector.check(
            parse_percent, str(data.get("percent") or ""), "percent"
        )
    elif kind is DiscountKind.AMOUNT:
        currency = collector.check(parse_currency, data.get("currency"), currencies)
        if currency is not None:
            amount_off = collector.check(
                parse_amount, str(data.get("amount_off") or ""), currency, "amount_off"
            )
    else:
        collector.errors["kind"] = "Choose a percent or an amount off."
    expires_at = collector.check(
        parse_local, str(data.get("expires_at") or ""), timezone, "expires_at"
    )
    if current is None or expires_at != current.expires_at:
        collector.check(check_future, expires_at, now, "expiry", "expires_at")
    max_redemptions = collector.check(
        read_limit, data.get("max_redemptions"), "max_redemptions"
    )
    collector.raise_any()
    return DiscountInput(
        name=name,
        code=code,
        percent=percent,
        amount_off=amount_off,
        currency=currency,
        expires_at=expires_at,
        max_redemptions=max_redemptions,
        active=bool(data.get("active", True)),
    )


def read_limit(value: object, field: str) -> int | None:
    """Return a whole number of at least 1, or None when empty."""
    text = str(value or "").strip()
    if not text:
        return None
    if (
        not text.isascii()
        or not text.isdigit()
        or not 1 <= int(text) <= MAX_REDEMPTIONS
    ):
        raise CatalogError(
            f"{text!r} is not a whole number of at least 1. Enter a number such "
            "as 100, or leave it empty for no limit.",
            field,
        )
    return int(text)


def discount_kind(discount: Discount) -> DiscountKind:
    return DiscountKind.PERCENT if discount.percent is not None else DiscountKind.AMOUNT


def check_code_free(session: Session, code: str | None, current_id: int | None) -> None:
    """Raise ``CatalogError`` when another discount has ``code``, in any case."""
    if code is None:
        return
    other = session.scalar(select(Discount.id).where(func.upper(Discount.code) == code))
    if other is not None and other != current_id:
        raise CatalogError(
            f"Another discount already has the code {code}. Choose another code.",
            "code",
        )


def create_discount(session: Session, values: DiscountInput) -> Discount:
    check_code_free(session, values.code, None)
    discount = Discount()
    _apply(discount, values)
    session.add(discount)
    session.flush()
    return discount


def links_using_discount(session: Session, discount_id: int) -> int:
    """Count the payment links that put the discount on a line item."""
    return session.scalar(
        select(func.count(func.distinct(PaymentLinkItem.link_id))).where(
            PaymentLinkItem.discount_id == discount_id
        )
    )


def update_discount(
    session: Session, discount: Discount, values: DiscountInput
) -> dict[str, str]:
    """Apply ``values`` and return the changed fields with their new values.

    Raises ``CatalogError`` when the code is taken, or when payment links put
    the discount on a line item and its amount off would change currency or
    appear, because a line's amount off must be in the link's currency.
    """
    check_code_free(session, values.code, discount.id)
    if values.amount_off is not None and values.currency != discount.currency:
        linked = links_using_discount(session, discount.id)
        if linked:
            raise CatalogError(
                f"{linked} payment link(s) put this discount on a line item, so "
                f"it cannot become an amount off in {values.currency}. Add a new "
                "discount instead.",
                "currency",
            )
    return apply_changes(discount, values, _FIELDS)


_FIELDS = (
    "name",
    "code",
    "percent",
    "amount_off",
    "currency",
    "expires_at",
    "max_redemptions",
    "active",
)


def _apply(discount: Discount, values: DiscountInput) -> None:
    for field in _FIELDS:
        setattr(discount, field, getattr(values, field))
