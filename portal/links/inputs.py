"""A payment link's options as checked values, ready to save."""

from dataclasses import dataclass, field
from datetime import date, datetime

from portal.models import Collect, CustomFieldKind

MAX_ITEMS = 20
DEFAULT_MAX_QUANTITY = 99
# The checkout reads quantities of at most six digits.
MAX_QUANTITY = 999_999


@dataclass(frozen=True, slots=True)
class ItemInput:
    price_id: int
    quantity: int  # the quantity shown first
    adjustable_quantity: bool
    min_quantity: int
    max_quantity: int
    tax_rate_id: int | None
    discount_id: int | None  # a discount that always applies to this line


@dataclass(frozen=True, slots=True)
class CustomFieldInput:
    label: str
    kind: CustomFieldKind
    required: bool
    options: tuple[str, ...]  # dropdown choices; empty for other kinds


@dataclass(frozen=True, slots=True)
class LinkInput:
    title: str
    description: str | None
    currency: str
    slug: str | None  # None: generate one from the title
    items: tuple[ItemInput, ...]
    fee_ids: tuple[int, ...]
    allow_discount_codes: bool
    allow_bank_debit: bool
    collect_name: Collect
    collect_address: Collect
    collect_phone: Collect
    custom_fields: tuple[CustomFieldInput, ...]
    after_payment_message: str | None
    after_payment_url: str | None
    expires_at: datetime | None  # UTC
    max_payments: int | None
    allowed_origins: list[str] = field(default_factory=list)
    # How the subscriptions of a link with recurring prices start; see
    # portal.links.recurrence. All None: when the buyer pays, without a trial.
    trial_days: int | None = None
    start_delay: int | None = None
    start_delay_unit: str | None = None  # "days" or "months"
    start_on: date | None = None  # in the business's time zone
