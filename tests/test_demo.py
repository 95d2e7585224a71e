"""The demo seed: its rows, its idempotence and the URLs it prints."""

from decimal import Decimal

from sqlalchemy import func, select

from portal.database import Base
from portal.demo import (
    DEMO_OWNER_EMAIL,
    DEMO_OWNER_PASSWORD,
    back_office_text,
    link_urls,
    seed_demo,
)
from portal.models import (
    Business,
    Collect,
    CustomFieldKind,
    Discount,
    DocumentSequence,
    PaymentLink,
    Staff,
    StaffRole,
)
from portal.staff.passwords import verify_password

DEMO_SLUGS = ["poster", "workshop-kit", "tokyo-print", "embed-demo"]


def row_counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def link(session, slug: str) -> PaymentLink:
    return session.scalars(select(PaymentLink).where(PaymentLink.slug == slug)).one()


def test_seed_twice_adds_nothing_twice(db):
    seed_demo(db)
    db.commit()
    counts = row_counts(db)

    links = seed_demo(db)
    db.commit()

    assert row_counts(db) == counts
    assert counts["businesses"] == 1
    assert counts["payment_links"] == 4
    assert counts["discounts"] == 1
    assert counts["document_sequences"] == 3
    assert [link.slug for link in links] == DEMO_SLUGS


def test_seed_links_have_their_currencies(db):
    links = seed_demo(db)
    db.commit()

    assert {link.slug: link.currency for link in links} == {
        "poster": "EUR",
        "workshop-kit": "EUR",
        "tokyo-print": "JPY",
        "embed-demo": "EUR",
    }
    for seeded in links:
        assert {item.price.currency for item in seeded.items} == {seeded.currency}


def test_seed_business(db):
    seed_demo(db)
    db.commit()

    business = db.scalars(select(Business)).one()
    assert business.name == "Nordlys Studio"
    assert business.currency == "EUR"
    assert business.timezone == "Europe/Helsinki"
    assert business.logo_url == "img/demo-logo.svg"
    assert business.tax_id == "FI12345671"
    sequences = {row.name: row.prefix for row in db.scalars(select(DocumentSequence))}
    assert sequences == {"invoice": "INV-", "receipt": "RCT-", "refund": "RFD-"}


def test_seed_keeps_existing_business(db):
    db.add(Business(name="Existing shop", email="shop@example.com", currency="EUR"))
    db.commit()

    seed_demo(db)
    db.commit()

    assert [row.name for row in db.scalars(select(Business))] == ["Existing shop"]


def test_seed_workshop_kit(db):
    seed_demo(db)
    db.commit()

    kit = link(db, "workshop-kit")
    assert len(kit.items) == 3
    assert all(item.adjustable_quantity for item in kit.items)
    assert {item.max_quantity for item in kit.items} == {10}
    assert {item.tax_rate.percent for item in kit.items} == {Decimal("25.5")}
    assert not any(item.tax_rate.inclusive for item in kit.items)
    assert kit.allow_discount_codes
    assert kit.collect_name is Collect.REQUIRED
    assert kit.collect_address is Collect.OPTIONAL
    assert kit.collect_phone is Collect.OPTIONAL

    [shipping] = kit.fees
    assert shipping.name == "Shipping"
    assert shipping.flat_amount == 595
    assert shipping.currency == "EUR"
    assert shipping.tax_rate.name == "VAT"

    size, company = kit.custom_fields
    assert size.label == "T-shirt size"
    assert size.kind is CustomFieldKind.DROPDOWN
    assert size.options == ["S", "M", "L"]
    assert size.required
    assert company.label == "Company"
    assert company.kind is CustomFieldKind.TEXT
    assert not company.required


def test_seed_welcome_discount(db):
    seed_demo(db)
    db.commit()

    discount = db.scalars(select(Discount).where(Discount.code == "WELCOME10")).one()
    assert discount.percent == Decimal(10)
    assert discount.amount_off is None
    assert discount.expires_at is None
    assert discount.max_redemptions == 100
    assert discount.active


def test_seed_poster_and_tokyo_print(db):
    seed_demo(db)
    db.commit()

    [poster_item] = link(db, "poster").items
    [print_item] = link(db, "tokyo-print").items
    assert poster_item.price.unit_amount == 3900
    assert poster_item.tax_rate.name == "VAT"
    assert print_item.price.unit_amount == 8000
    assert print_item.price.currency == "JPY"
    assert print_item.tax_rate is None


def test_seed_command_prints_link_urls(app, db, monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    url_lines = [line.strip() for line in result.output.splitlines()]
    url_lines = [line for line in url_lines if line.startswith("http")]
    assert url_lines == [
        *(f"http://127.0.0.1:8123/pay/{slug}" for slug in DEMO_SLUGS),
        "http://127.0.0.1:8123/merchant/",
    ]
    assert db.scalar(select(func.count()).select_from(PaymentLink)) == 4


def test_seed_command_explains_demo_links(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    assert "Aurora poster: one item with VAT" in result.output
    assert "Linocut workshop kit: adjustable quantities" in result.output
    assert "discount code WELCOME10" in result.output
    assert "Tokyo night print: priced in yen (JPY)" in result.output
    assert "?lang=fi" in result.output
    assert "4242 4242 4242 4242" in result.output


def test_seed_command_names_outbox(app, db):
    outbox = app.config["KASSA_OUTBOX"]
    app.config["KASSA_SMTP_URL"] = ""

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert f"Emails are written as .eml files to {outbox}." in result.output


def test_seed_command_names_smtp(app, db):
    app.config["KASSA_SMTP_URL"] = "smtp://127.0.0.1:2525"

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert "Emails are sent through the SMTP server" in result.output
    assert "smtp://127.0.0.1:2525" not in result.output


def test_urls_command_uses_base_url(app, db):
    seed_demo(db)
    db.commit()

    result = app.test_cli_runner().invoke(
        args=["demo", "urls", "--base-url", "https://shop.example/"]
    )

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"https://shop.example/pay/{slug}" for slug in DEMO_SLUGS
    ]


def test_link_urls_joins_base_and_slug(db):
    links = seed_demo(db)

    assert link_urls(links[:1], "http://127.0.0.1:5000/") == [
        "http://127.0.0.1:5000/pay/poster"
    ]


def test_seed_adds_demo_owner_once(db):
    seed_demo(db)
    seed_demo(db)
    db.commit()

    owners = db.scalars(select(Staff)).all()
    assert [owner.email for owner in owners] == [DEMO_OWNER_EMAIL]
    assert owners[0].role is StaffRole.OWNER
    assert verify_password(owners[0].password_hash, DEMO_OWNER_PASSWORD)


def test_back_office_text_names_url_and_login():
    text = back_office_text("http://127.0.0.1:5123/")

    assert "http://127.0.0.1:5123/merchant/" in text
    assert DEMO_OWNER_EMAIL in text
    assert DEMO_OWNER_PASSWORD in text


def test_seed_embed_link_allows_local_origins(db):
    seed_demo(db)
    db.commit()

    embed = link(db, "embed-demo")
    assert embed.allowed_origins == ["http://127.0.0.1:*", "http://localhost:*"]
    assert embed.active
    assert [item.price.unit_amount for item in embed.items] == [1200]


def test_seed_command_prints_button_snippet(app, db, monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    assert (
        '  <script src="http://127.0.0.1:8123/static/js/embed.js" async></script>\n'
        '  <a href="http://127.0.0.1:8123/pay/embed-demo" '
        'data-kassa-button="embed-demo" target="_blank" rel="noopener">Buy now</a>\n'
    ) in result.output
    assert "open http://localhost:8000/embed.html" in result.output
