"""Fees added to an order, such as shipping: a flat amount or a percent.

A percent fee is taken of the goods after discounts. Orders keep their own
fee lines, so a fee may change or, once no payment link uses it, be deleted.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.catalog.amounts import parse_amount, parse_currency, parse_percent
from portal.catalog.changes import apply_changes
from portal.catalog.errors import CatalogError, ErrorCollector
from portal.catalog.text import clean_line, parse_choice, parse_id
from portal.models import Fee, PaymentLinkFee, TaxRate

MAX_NAME_LENGTH = 100


class FeeKind(StrEnum):
    FLAT = "flat"
    PERCENT = "percent"


@dataclass(frozen=True, slots=True)
class FeeInput:
    name: str
    flat_amount: int | None  # minor units of ``currency``
    currency: str | None
    percent: Decimal | None
    tax_rate_id: int | None


def read_fee(
    session: Session,
    data: Mapping[str, object],
    currencies: Sequence[str],
    current: Fee | None = None,
) -> FeeInput:
    """Check a fee form's values; raises ``InvalidInput`` naming each bad field.

    ``current`` is the fee being edited, which may keep an archived tax rate.
    """
    collector = ErrorCollector()
    name = collector.check(
        clean_line, data.get("name"), "name", MAX_NAME_LENGTH, "name", required=True
    )
    kind = parse_choice(FeeKind, data.get("kind"))
    flat_amount = currency = percent = None
    if kind is FeeKind.FLAT:
        currency = collector.check(parse_currency, data.get("currency"), currencies)
        if currency is not None:
            flat_amount = collector.check(
                parse_amount, str(data.get("amount") or ""), currency, "amount"
            )
    elif kind is FeeKind.PERCENT:
        percent = collector.check(
            parse_percent, str(data.get("percent") or ""), "percent"
        )
    else:
        collector.errors["kind"] = "Choose a flat amount or a percent."
    tax_rate_id = collector.check(
        read_tax_rate_id,
        session,
        data.get("tax_rate_id"),
        kept_id=current.tax_rate_id if current else None,
    )
    collector.raise_any()
    return FeeInput(
        name=name,
        flat_amount=flat_amount,
        currency=currency,
        percent=percent,
        tax_rate_id=tax_rate_id,
    )


def read_tax_rate_id(
    session: Session,
    value: object,
    field: str = "tax_rate_id",
    kept_id: int | None = None,
) -> int | None:
    """Return the id of an active tax rate, or of ``kept_id`` even when archived.

    Returns None when no rate is chosen.
    """
    if not str(value or "").strip():
        return None
    rate_id = parse_id(value)
    rate = session.get(TaxRate, rate_id) if rate_id is not None else None
    if rate is None or not (rate.active or rate.id == kept_id):
        raise CatalogError("Choose an active tax rate from the list, or none.", field)
    return rate_id


def fee_kind(fee: Fee) -> FeeKind:
    return FeeKind.PERCENT if fee.percent is not None else FeeKind.FLAT


def links_using_fee(session: Session, fee_id: int) -> int:
    return session.scalar(select(func.count()).where(PaymentLinkFee.fee_id == fee_id))


def create_fee(session: Session, values: FeeInput) -> Fee:
    fee = Fee()
    _apply(fee, values)
    session.add(fee)
    session.flush()
    return fee


def update_fee(session: Session, fee: Fee, values: FeeInput) -> dict[str, str]:
    """Apply ``values`` and return the changed fields with their new values.

    Raises ``CatalogError`` when payment links use the fee and its kind or
    currency would change, because each link takes fees in its own currency.
    """
    linked = links_using_fee(session, fee.id)
    moves = fee_kind(fee) is not _kind_of(values) or fee.currency != values.currency
    if linked and moves:
        raise CatalogError(
            f"{linked} payment link(s) use this fee, so it cannot change "
            "between a flat amount and a percent or to another currency. "
            "Add a new fee instead.",
            "kind",
        )
    return apply_changes(fee, values, _FIELDS)


def delete_fee(session: Session, fee: Fee) -> None:
    """Delete a fee that no payment link uses; raises ``CatalogError`` otherwise."""
    linked = links_using_fee(session, fee.id)
    if linked:
        raise CatalogError(
            f"{linked} payment link(s) use this fee. Remove it from them first."
        )
    session.delete(fee)


def _kind_of(values: FeeInput) -> FeeKind:
    return FeeKind.PERCENT if values.percent is not None else FeeKind.FLAT


_FIELDS = ("name", "flat_amount", "currency", "percent", "tax_rate_id")


def _apply(fee: Fee, values: FeeInput) -> None:
    for field in _FIELDS:
        setattr(fee, field, getattr(values, field))
