"""Discount codes: lookup, validity and redemption counting."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.models import Discount
from portal.pricing import DiscountRule


class DiscountCodeError(ValueError):
    """A code the buyer cannot use, with a message that says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_code(code: str) -> str:
    return code.strip().upper()


def find_code(session: Session, code: str, currency: str, now: datetime) -> Discount:
    """Return the usable discount for a code typed by a buyer.

    Raises ``DiscountCodeError`` for an unknown, inactive, expired or used-up
    code, or a fixed amount in another currency.
    """
    discount = session.scalars(
        select(Discount).where(func.upper(Discount.code) == normalise_code(code))
    ).first()
    if discount is None or not discount.active:
        raise DiscountCodeError(_("The code %(code)s is not valid.", code=code.strip()))
    if discount.expires_at is not None and discount.expires_at <= now:
        raise DiscountCodeError(_("The code %(code)s has expired.", code=discount.code))
    if (
        discount.max_redemptions is not None
        and discount.times_redeemed >= discount.max_redemptions
    ):
        raise DiscountCodeError(
            _("The code %(code)s has been used up.", code=discount.code)
        )
    if discount.amount_off is not None and discount.currency != currency:
        raise DiscountCodeError(
            _("The code %(code)s does not apply to this currency.", code=discount.code)
        )
    return discount


def as_rule(discount: Discount) -> DiscountRule:
    return DiscountRule(
        name=discount.code or discount.name,
        percent=discount.percent,
        amount_off=discount.amount_off,
    )


def reserve_redemption(session: Session, discount: Discount) -> bool:
    """Count one redemption unless the code is used up; True when counted.

    The guarded UPDATE keeps concurrent buyers from going past
    ``max_redemptions``.
    """
    result = session.execute(
        update(Discount)
        .where(
            Discount.id == discount.id,
            (Discount.max_redemptions.is_(None))
            | (Discount.times_redeemed < Discount.max_redemptions),
        )
        .values(times_redeemed=Discount.times_redeemed + 1)
    )
    return result.rowcount == 1


def release_redemption(session: Session, discount_id: int) -> None:
    """Give back a redemption counted for a payment that failed."""
    session.execute(
        update(Discount)
        .where(Discount.id == discount_id, Discount.times_redeemed > 0)
        .values(times_redeemed=Discount.times_redeemed - 1)
    )
