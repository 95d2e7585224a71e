"""``flask --app wsgi demo ...``: a demo business with products and payment links.

Seeding is idempotent. Each row is looked up by a stable key before it is
added: link slug, discount code, product name, tax rate name and percent, fee
name and amount, staff email. Running the seed again adds nothing twice and
leaves rows that already exist as they are. ``portal.demo_back_office`` adds
the back office's payments, invoices, saved view and contact list the same way.
"""

import logging
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.checkout.embeds import build_snippets
from portal.database import new_session
from portal.demo_back_office import (
    RECENT_PAYERS_LIST_NAME,
    UNPAID_VIEW_NAME,
    seed_back_office,
)
from portal.demo_quotes import seed_demo_quotes
from portal.demo_subscriptions import (
    SUBSCRIPTION_LINK_NOTES,
    ensure_subscription_links,
)
from portal.documents.pdf import static_root
from portal.models import (
    Business,
    Collect,
    CustomField,
    CustomFieldKind,
    Discount,
    DocumentSequence,
    Fee,
    PaymentLink,
    PaymentLinkItem,
    Price,
    PriceKind,
    Product,
    Quote,
    StaffRole,
    TaxRate,
)
from portal.staff.accounts import create_staff, find_staff_by_email
from portal.urls import local_base_url

logger = logging.getLogger(__name__)

VAT_PERCENT = Decimal("25.5")  # Finland's general VAT rate from 2024-09-01
SEQUENCES = {
    "invoice": "INV-",
    "quote": "Q-",
    "receipt": "RCT-",
    "refund": "RFD-",
}
# The back-office login printed after seeding. The README publishes it, so it
# belongs in demo data only.
DEMO_OWNER_EMAIL = "owner@kassa.test"
DEMO_OWNER_PASSWORD = "kassa-demo-owner"  # noqa: S105
# A second login with the viewer role, which may read every page but change
# nothing, so that the two roles can be compared.
DEMO_VIEWER_EMAIL = "viewer@kassa.test"
DEMO_VIEWER_PASSWORD = "kassa-demo-viewer"  # noqa: S105
# Short description of each demo link, printed under its URL after seeding.
LINK_NOTES = {
    "poster": "one item with VAT, the simplest checkout.",
    "workshop-kit": "adjustable quantities, the discount code WELCOME10, a "
    "shipping fee and custom fields.",
    "tokyo-print": "priced in yen (JPY), a currency without minor units.",
    "embed-demo": "pages on http://127.0.0.1 and http://localhost, on any port, "
    "may embed it. Its button snippet is printed below.",
    **SUBSCRIPTION_LINK_NOTES,
}
EMBED_DEMO_SLUG = "embed-demo"
EMBED_DEMO_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*"]


@click.group("demo", cls=AppGroup, help="Demo data.")
def demo_group() -> None:
    pass


@demo_group.command(
    "seed",
    help="Add the demo business, products, payment links and back-office data "
    "and print the URLs. Running it again adds nothing twice.",
)
def seed_command() -> None:
    with quiet_logs(), new_session() as session:
        links = seed_demo(session)
        session.commit()
        owner = find_staff_by_email(session, DEMO_OWNER_EMAIL)
        seed_back_office(session, owner, links)
        quotes = seed_demo_quotes(session, owner, static_root())
        quote_lines = quote_text(quotes, local_base_url())
        urls = link_urls(links, local_base_url())
        rows = [
            (link.slug, link.title, url) for link, url in zip(links, urls, strict=True)
        ]
        [embed_link] = [link for link in links if link.slug == EMBED_DEMO_SLUG]
        embed = embed_text(
            embed_link, local_base_url(), get_business(session).brand_color
        )
    click.echo(welcome_text(rows))
    click.echo(embed)
    click.echo(quote_lines)
    click.echo(back_office_text(local_base_url()))


@demo_group.command("urls", help="Print the URL of every active payment link.")
@click.option(
    "--base-url",
    default=None,
    help="Scheme, host and port to put before /pay/<slug>. "
    "Default: http://127.0.0.1:$PORT, with PORT 5000 when unset.",
)
def urls_command(base_url: str | None) -> None:
    with new_session() as session:
        links = session.scalars(
            select(PaymentLink)
            .where(PaymentLink.active.is_(True))
            .order_by(PaymentLink.id)
        ).all()
    for url in link_urls(links, base_url or local_base_url()):
        click.echo(url)


def welcome_text(links: list[tuple[str, str, str]]) -> str:
    """Build the block ``demo seed`` prints last: where to start and how to pay.

    ``links`` are (slug, title, URL) triples of the seeded payment links.
    """
    lines = [
        "",
        "The demo data is ready. With the server running (make demo starts it),",
        "open a payment link:",
    ]
    for slug, title, url in links:
        note = f"{title}: {LINK_NOTES[slug]}" if slug in LINK_NOTES else title
        lines += [
            "",
            f"  {url}",
            textwrap.fill(note, 78, initial_indent=" " * 4, subsequent_indent=" " * 4),
        ]
    lines += [
        "",
        "Add ?lang=fi to a link for the Finnish checkout.",
        "Pay with the test card 4242 4242 4242 4242, any future expiry date and "
        "any CVC.",
        "README.md lists the other test cards and the test bank account.",
        outbox_text(),
        "",
    ]
    return "\n".join(lines)


def embed_text(link: PaymentLink, base_url: str, brand_color: str) -> str:
    """Build the lines ``demo seed`` prints on embedding ``link`` in another page."""
    snippet = build_snippets(link, base_url, brand_color).button
    return "\n".join(
        [
            "Try the embed: save this button snippet as embed.html in an empty folder,",
            "serve the folder with python3 -m http.server 8000 --bind 127.0.0.1 and",
            "open http://localhost:8000/embed.html (another origin than the demo).",
            "",
            textwrap.indent(snippet, "  "),
            "",
        ]
    )


def quote_text(quotes: list[Quote], base_url: str) -> str:
    """Build the lines ``demo seed`` prints about the demo quotes and their pages.

    Each quote's page is printed with its buyer's own signing link, which is
    what the quote's email would carry.
    """
    lines = ["Quotes to view, sign and pay (staff countersign on the quote's page):"]
    for quote in quotes:
        who = "buyer and countersigner" if quote.countersigners else "buyer only"
        url = f"{base_url}/quotes/{quote.token}"
        lines.append(f"  {quote.display_number} ({who}): {url}")
        for signer in quote.buyers:
            lines.append(f"    {signer.name} signs at {url}/sign/{signer.token}")
    return "\n".join(lines) + "\n"


def back_office_text(base_url: str) -> str:
    """Build the lines ``demo seed`` prints about the back office and its logins."""
    return "\n".join(
        [
            "Back office (payments, invoices, subscriptions, quotes, contacts, "
            "staff, settings):",
            f"  {base_url.rstrip('/')}/merchant/",
            f"  Sign in as {DEMO_OWNER_EMAIL} with the password {DEMO_OWNER_PASSWORD}",
            f"  or, read only, as {DEMO_VIEWER_EMAIL} with the password "
            f"{DEMO_VIEWER_PASSWORD}.",
            "  It shows six weeks of demo sales: payments, a refund, invoices (one "
            "overdue),",
            f'  the shared view "{UNPAID_VIEW_NAME}" and the contact list '
            f'"{RECENT_PAYERS_LIST_NAME}".',
            "",
            "Customer account area (sign in with a buyer's email; the sign-in link",
            "arrives in the outbox):",
            f"  {base_url.rstrip('/')}/account/sign-in",
            "",
        ]
    )


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Log only warnings and errors of the app while the demo is seeded.

    Seeding makes payments and invoices through the app's own functions, and
    their INFO records would bury the URLs that the command prints.
    """
    app_logger = logging.getLogger("portal")
    level = app_logger.level
    app_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app_logger.setLevel(level)


def outbox_text() -> str:
    if current_app.config.get("KASSA_SMTP_URL"):
        return "Emails are sent through the SMTP server in KASSA_SMTP_URL."
    return f"Emails are written as .eml files to {current_app.config['KASSA_OUTBOX']}."


def link_urls(links: Iterable[PaymentLink], base_url: str) -> list[str]:
    base = base_url.rstrip("/")
    return [f"{base}/pay/{link.slug}" for link in links]


def seed_demo(session: Session) -> list[PaymentLink]:
    """Add the demo rows that are missing and return the demo links.

    The caller commits. An existing business is kept as it is, because an
    installation has exactly one.
    """
    _ensure_business(session)
    for name, prefix in SEQUENCES.items():
        if session.get(DocumentSequence, name) is None:
            session.add(DocumentSequence(name=name, prefix=prefix))
    vat = _ensure_tax_rate(session, "VAT", VAT_PERCENT)
    _ensure_welcome_discount(session)
    _ensure_demo_staff(
        session, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, StaffRole.OWNER, "Demo owner"
    )
    _ensure_demo_staff(
        session,
        DEMO_VIEWER_EMAIL,
        DEMO_VIEWER_PASSWORD,
        StaffRole.VIEWER,
        "Demo viewer",
    )

    links = [
        _ensure_poster_link(session, vat),
        _ensure_workshop_link(session, vat),
        _ensure_tokyo_link(session),
        _ensure_embed_link(session, vat),
        *ensure_subscription_links(session, vat),
    ]
    session.flush()
    logger.info("demo data seeded: %d payment links", len(links))
    return links


def _ensure_business(session: Session) -> Business:
    business = session.scalars(select(Business).order_by(Business.id)).first()
    if business is not None:
        return business
    business = Business(
        name="Nordlys Studio",
        email="sales@nordlys.example",
        logo_url="img/demo-logo.svg",
        brand_color="#2f6f4f",
        currency="EUR",
        # The Tokyo print link is priced in yen.
        accepted_currencies=["JPY"],
        timezone="Europe/Helsinki",
        locale="en",
        address="Tehtaankatu 12 B\n00140 Helsinki\nFinland",
        tax_id="FI12345671",
    )
    session.add(business)
    return business


def _ensure_demo_staff(
    session: Session, email: str, password: str, role: StaffRole, name: str
) -> None:
    """Add a demo login unless a staff member with that email exists."""
    if find_staff_by_email(session, email) is None:
        create_staff(session, email=email, password=password, role=role, name=name)


def _ensure_tax_rate(session: Session, name: str, percent: Decimal) -> TaxRate:
    tax_rate = session.scalars(
        select(TaxRate).where(
            TaxRate.name == name,
            TaxRate.percent == percent,
            TaxRate.inclusive.is_(False),
        )
    ).first()
    if tax_rate is None:
        tax_rate = TaxRate(name=name, percent=percent, inclusive=False)
        session.add(tax_rate)
    return tax_rate


def _ensure_price(
    session: Session, product_name: str, currency: str, unit_amount: int
) -> Price:
    """Return the one-time price of a product, adding what is missing."""
    product = session.scalars(
        select(Product).where(Product.name == product_name).order_by(Product.id)
    ).first()
    if product is None:
        product = Product(name=product_name)
        session.add(product)
    price = session.scalars(
        select(Price).where(
            Price.product == product,
            Price.currency == currency,
            Price.unit_amount == unit_amount,
            Price.kind == PriceKind.ONE_TIME,
        )
    ).first()
    if price is None:
        price = Price(product=product, currency=currency, unit_amount=unit_amount)
        session.add(price)
    return price


def _ensure_shipping_fee(session: Session, vat: TaxRate) -> Fee:
    fee = session.scalars(
        select(Fee).where(
            Fee.name == "Shipping", Fee.flat_amount == 595, Fee.currency == "EUR"
        )
    ).first()
    if fee is None:
        fee = Fee(name="Shipping", flat_amount=595, currency="EUR", tax_rate=vat)
        session.add(fee)
    return fee


def _ensure_welcome_discount(session: Session) -> Discount:
    discount = session.scalars(
        select(Discount).where(Discount.code == "WELCOME10")
    ).first()
    if discount is None:
        discount = Discount(
            name="Welcome, 10% off",
            code="WELCOME10",
            percent=Decimal(10),
            max_redemptions=100,
        )
        session.add(discount)
    return discount


def _find_link(session: Session, slug: str) -> PaymentLink | None:
    return session.scalars(select(PaymentLink).where(PaymentLink.slug == slug)).first()


def _ensure_poster_link(session: Session, vat: TaxRate) -> PaymentLink:
    link = _find_link(session, "poster")
    if link is not None:
        return link
    link = PaymentLink(
        slug="poster",
        title="Aurora poster",
        description="A 50 x 70 cm risograph print of the northern lights.",
        currency="EUR",
        after_payment_message="Your poster ships within three working days.",
    )
    link.items.append(
        PaymentLinkItem(
            price=_ensure_price(session, "Aurora poster, 50 x 70 cm", "EUR", 3900),
            tax_rate=vat,
        )
    )
    session.add(link)
    return link


def _ensure_workshop_link(session: Session, vat: TaxRate) -> PaymentLink:
    link = _find_link(session, "workshop-kit")
    if link is not None:
        return link
    link = PaymentLink(
        slug="workshop-kit",
        title="Linocut workshop kit",
        description="Everything for the Saturday linocut workshop.",
        currency="EUR",
        allow_discount_codes=True,
        collect_name=Collect.REQUIRED,
        collect_address=Collect.OPTIONAL,
        collect_phone=Collect.OPTIONAL,
        after_payment_message="See you at the workshop.",
    )
    products = [
        ("Linocut workshop kit", 6500),
        ("Carving tool set", 2400),
        ("Block printing ink, 3 colours", 1850),
    ]
    for position, (name, unit_amount) in enumerate(products):
        link.items.append(
            PaymentLinkItem(
                position=position,
                price=_ensure_price(session, name, "EUR", unit_amount),
                quantity=1,
                adjustable_quantity=True,
                max_quantity=10,
                tax_rate=vat,
            )
        )
    link.fees.append(_ensure_shipping_fee(session, vat))
    link.custom_fields.extend(
        [
            CustomField(
                position=0,
                key="tshirt_size",
                label="T-shirt size",
                kind=CustomFieldKind.DROPDOWN,
                required=True,
                options=["S", "M", "L"],
            ),
            CustomField(
                position=1,
                key="company",
                label="Company",
                kind=CustomFieldKind.TEXT,
                required=False,
            ),
        ]
    )
    session.add(link)
    return link


def _ensure_tokyo_link(session: Session) -> PaymentLink:
    link = _find_link(session, "tokyo-print")
    if link is not None:
        return link
    link = PaymentLink(
        slug="tokyo-print",
        title="Tokyo night print",
        description="A limited print for the Tokyo pop-up shop, priced in yen.",
        currency="JPY",
    )
    # JPY has no minor unit, so 8000 is 8,000 yen.
    link.items.append(
        PaymentLinkItem(price=_ensure_price(session, "Tokyo night print", "JPY", 8000))
    )
    session.add(link)
    return link


def _ensure_embed_link(session: Session, vat: TaxRate) -> PaymentLink:
    link = _find_link(session, EMBED_DEMO_SLUG)
    if link is not None:
        return link
    link = PaymentLink(
        slug=EMBED_DEMO_SLUG,
        title="Sticker set",
        description="Six vinyl stickers of Nordlys prints.",
        currency="EUR",
        allowed_origins=EMBED_DEMO_ORIGINS,
        after_payment_message="Your stickers ship within three working days.",
    )
    link.items.append(
        PaymentLinkItem(
            price=_ensure_price(session, "Sticker set", "EUR", 1200),
            adjustable_quantity=True,
            max_quantity=5,
            tax_rate=vat,
        )
    )
    session.add(link)
    return link
