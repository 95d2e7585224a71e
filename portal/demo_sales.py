"""Demo contacts, their payments through the demo links, and a refund.

Each payment is a checkout submit (``submit_checkout``) with the test-mode
processor, so it gets its order, receipt number, paid invoice and audit rows
as a buyer's payment would. The buyer's form is read by the checkout's own
reader, so the demo data passes the checks that a buyer's form passes.
A later seed finds a payment by its checkout attempt key and a refund by its
idempotency key, and leaves both as they are.
"""

import logging
from dataclasses import dataclass, field

from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.checkout.form import custom_field_name, quantity_field, read_submission
from portal.checkout.payments import (
    CheckoutRequest,
    settle_test_debits,
    submit_checkout,
)
from portal.contacts import ContactDetails, upsert_contact
from portal.demo_timeline import Action, DemoShop, Step
from portal.merchant.context import staff_actor
from portal.models import (
    CheckoutAttempt,
    Contact,
    Payment,
    PaymentStatus,
    Refund,
    RefundReason,
    TestModeIntent,
    TestModeRefund,
)
from portal.payments.refunds import RefundInput, refund_payment
from portal.processors.base import BankDetails, CardDetails
from portal.processors.testmode import TEST_ROUTING_NUMBER

logger = logging.getLogger(__name__)

# Test-mode card numbers and bank accounts, see portal.processors.testmode.
VISA = "4242424242424242"
MASTERCARD = "5555555555554444"
SETTLING_ACCOUNT = "000123456789"
FAILING_ACCOUNT = "000111111116"


@dataclass(frozen=True)
class DemoBuyer:
    name: str
    email: str
    phone: str
    street: str
    postal_code: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    locale: str  # the language the buyer uses the checkout in
    client_address: str  # from the documentation ranges of RFC 5737

    def details(self) -> ContactDetails:
        return ContactDetails(
            email=self.email,
            name=self.name,
            phone=self.phone,
            address_line1=self.street,
            postal_code=self.postal_code,
            city=self.city,
            country=self.country,
        )


BUYERS = {
    "aino": DemoBuyer(
        "Aino Virtanen",
        "aino.virtanen@example.com",
        "+358 40 123 4567",
        "Mannerheimintie 14 A 7",
        "00100",
        "Helsinki",
        "FI",
        "fi",
        "192.0.2.14",
    ),
    "mikko": DemoBuyer(
        "Mikko Korhonen",
        "mikko.korhonen@example.net",
        "+358 50 765 4321",
        "Hämeenkatu 9 B 22",
        "33100",
        "Tampere",
        "FI",
        "fi",
        "192.0.2.77",
    ),
    "sofia": DemoBuyer(
        "Sofia Lindqvist",
        "sofia.lindqvist@example.org",
        "+46 70 123 45 67",
        "Götgatan 22",
        "118 46",
        "Stockholm",
        "SE",
        "en",
        "198.51.100.23",
    ),
    "kenji": DemoBuyer(
        "Kenji Watanabe",
        "kenji.watanabe@example.com",
        "+81 90 1234 5678",
        "3-14-1 Jingumae, Shibuya-ku",
        "150-0001",
        "Tokyo",
        "JP",
        "en",
        "203.0.113.8",
    ),
    "emilie": DemoBuyer(
        "Émilie Laurent",
        "emilie.laurent@example.net",
        "+33 6 12 34 56 78",
        "12 rue de la République",
        "69002",
        "Lyon",
        "FR",
        "en",
        "198.51.100.61",
    ),
}


@dataclass(frozen=True)
class DemoPayment:
    """A checkout of a demo link; ``key`` is its checkout attempt key."""

    key: str
    buyer: str  # a key of BUYERS
    slug: str
    card: str | None = None  # a test card number, or None to pay by bank debit
    account: str = SETTLING_ACCOUNT  # the test bank account of a bank debit
    # Quantities by the item's position on the link; the rest keep their own.
    quantities: dict[int, int] = field(default_factory=dict)
    discount_code: str = ""
    custom_answers: dict[str, str] = field(default_factory=dict)  # by field key


def add_contact(buyer_key: str) -> Action:
    """Return the event action that adds a buyer as a contact."""

    def action(shop: DemoShop, step: Step) -> None:
        buyer = BUYERS[buyer_key]
        session = shop.session
        if session.scalar(select(Contact.id).where(Contact.email == buyer.email)):
            return
        step.add(upsert_contact(session, buyer.details()))
        session.commit()

    return action


def pay(spec: DemoPayment) -> Action:
    """Return the event action that pays a link through the checkout."""

    def action(shop: DemoShop, step: Step) -> None:
        session = shop.session
        if _attempt(shop, spec.key) is not None:
            return
        buyer = BUYERS[spec.buyer]
        link = shop.links[spec.slug]
        submission = read_submission(
            _checkout_form(spec, buyer, link), link, shop.today, needs_payment=False
        )
        if submission.errors:
            raise ValueError(f"Demo payment {spec.key} is invalid: {submission.errors}")
        submission.method, submission.details = _payment_details(spec, buyer, shop)
        with force_locale(buyer.locale):
            result = submit_checkout(
                session,
                shop.processor,
                CheckoutRequest(
                    attempt_key=spec.key,
                    submission=submission,
                    client_address=buyer.client_address,
                    locale=buyer.locale,
                    link=link,
                ),
            )
        if result.payment is None:
            logger.warning("demo payment %s was not made: %s", spec.key, result.message)
            return
        _add_payment(shop, step, result.payment)

    return action


def settle_debit(key: str) -> Action:
    """Return the event action that settles the bank debit of a demo payment.

    It settles the debits due by the demo debit's own settle time, which has
    been moved back with its payment, so debits of real payments made since
    stay processing until they are due.
    """

    def action(shop: DemoShop, step: Step) -> None:
        attempt = _attempt(shop, key)
        if attempt is None or attempt.payment is None:
            return
        payment = attempt.payment
        if payment.status is not PaymentStatus.PROCESSING:
            return
        intent = shop.session.get(TestModeIntent, payment.processor_ref)
        settle_test_debits(shop.session, shop.processor, as_of=intent.settles_at)
        _add_payment(shop, step, payment)

    return action


def refund_in_part(
    payment_key: str, refund_key: str, share: int, reason: RefundReason, note: str
) -> Action:
    """Return the event action by which the owner refunds 1/``share`` of a payment."""

    def action(shop: DemoShop, step: Step) -> None:
        session = shop.session
        attempt = _attempt(shop, payment_key)
        if attempt is None or attempt.payment is None:
            return
        if session.scalar(
            select(Refund.id).where(Refund.idempotency_key == refund_key)
        ):
            return
        payment = attempt.payment
        refund = refund_payment(
            session,
            shop.processor,
            RefundInput(
                payment_id=payment.id,
                amount=payment.amount // share,
                reason=reason,
                note=note,
                idempotency_key=refund_key,
            ),
            actor=staff_actor(shop.owner),
            staff_id=shop.owner.id,
            client_address=None,
        )
        if refund.processor_ref is not None:
            step.add(session.get(TestModeRefund, refund.processor_ref))
        step.add(refund)
        step.audit("refund", refund.id)
        step.audit("payment", payment.id)

    return action


def _attempt(shop: DemoShop, key: str) -> CheckoutAttempt | None:
    return shop.session.scalars(
        select(CheckoutAttempt).where(CheckoutAttempt.key == key)
    ).first()


def _checkout_form(spec: DemoPayment, buyer: DemoBuyer, link) -> MultiDict[str, str]:
    """Return the checkout form as the buyer would fill it in, without card details."""
    form = MultiDict(
        {
            "email": buyer.email,
            "name": buyer.name,
            "phone": buyer.phone,
            "address_line1": buyer.street,
            "postal_code": buyer.postal_code,
            "city": buyer.city,
            "country": buyer.country,
            "discount_code": spec.discount_code,
            "method": "card" if spec.card else "bank_debit",
        }
    )
    for position, quantity in spec.quantities.items():
        form[quantity_field(link.items[position].id)] = str(quantity)
    for key, answer in spec.custom_answers.items():
        form[custom_field_name(key)] = answer
    if spec.card is None:
        form["routing_number"] = TEST_ROUTING_NUMBER
        form["account_holder"] = buyer.name
    return form


def _payment_details(
    spec: DemoPayment, buyer: DemoBuyer, shop: DemoShop
) -> tuple[str, CardDetails | BankDetails]:
    if spec.card is not None:
        expiry_year = shop.today.year + 3
        return "card", CardDetails(
            spec.card, exp_month=12, exp_year=expiry_year, cvc="123"
        )
    return "bank_debit", BankDetails(
        routing_number=TEST_ROUTING_NUMBER,
        account_number=spec.account,
        holder_name=buyer.name,
    )


def _add_payment(shop: DemoShop, step: Step, payment: Payment) -> None:
    """Add a payment and the rows that came with it to ``step``."""
    session = shop.session
    invoice = payment.invoice
    step.add(
        payment,
        payment.order,
        payment.contact,
        invoice,
        _attempt_of(shop, payment),
    )
    if payment.processor_ref is not None:
        step.add(session.get(TestModeIntent, payment.processor_ref))
    step.audit("payment", payment.id)
    if invoice is not None:
        step.audit("invoice", invoice.id)


def _attempt_of(shop: DemoShop, payment: Payment) -> CheckoutAttempt | None:
    return shop.session.scalars(
        select(CheckoutAttempt).where(CheckoutAttempt.payment_id == payment.id)
    ).first()
