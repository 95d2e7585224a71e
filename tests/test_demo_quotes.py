"""The demo quotes: two published, one of them countersigned, seeded once."""

from sqlalchemy import func, select

from portal.demo import DEMO_OWNER_EMAIL, quote_text, seed_demo
from portal.demo_quotes import seed_demo_quotes
from portal.models import Quote, QuoteStatus
from portal.staff.accounts import find_staff_by_email
from tests.quotes.builders import STATIC_ROOT


def seed(db) -> list[Quote]:
    seed_demo(db)
    db.commit()
    owner = find_staff_by_email(db, DEMO_OWNER_EMAIL)
    return seed_demo_quotes(db, owner, STATIC_ROOT)


def test_demo_quotes_published(db):
    buyer_only, countersigned = seed(db)

    assert buyer_only.status is QuoteStatus.PUBLISHED
    assert countersigned.status is QuoteStatus.PUBLISHED
    assert buyer_only.countersigners == []
    assert [s.email for s in countersigned.countersigners] == [DEMO_OWNER_EMAIL]
    # 57103 with VAT: half of it rounds up, and the last instalment takes the rest.
    assert [part.amount for part in buyer_only.instalments] == [28552, 28551]
    assert sum(part.amount for part in countersigned.instalments) == (
        countersigned.order.total
    )


def test_demo_quotes_seeded_once(db):
    first = seed(db)
    second = seed(db)

    assert [quote.id for quote in second] == [quote.id for quote in first]
    assert db.scalar(select(func.count()).select_from(Quote)) == 2


def test_demo_quote_urls_printed(db):
    quotes = seed(db)

    text = quote_text(quotes, "http://127.0.0.1:5000")

    for quote in quotes:
        url = f"http://127.0.0.1:5000/quotes/{quote.token}"
        assert url in text
        for signer in quote.buyers:
            assert f"{signer.name} signs at {url}/sign/{signer.token}" in text
    assert "(buyer only)" in text
    assert "(buyer and countersigner)" in text
