import pytest
from sqlalchemy.exc import IntegrityError

from portal.models import CustomField, CustomFieldKind, PaymentLink


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "/thanks", "ftp://example.com/", "https://", "data:x"],
)
def test_after_payment_url_rejects_non_http(url):
    with pytest.raises(ValueError, match="not an http"):
        PaymentLink(slug="x", title="x", currency="EUR", after_payment_url=url)


@pytest.mark.parametrize(
    "url", ["https://shop.example/thanks", "http://127.0.0.1:8000/done?x=1"]
)
def test_after_payment_url_accepts_http(url):
    link = PaymentLink(slug="x", title="x", currency="EUR", after_payment_url=url)

    assert link.after_payment_url == url


def test_blank_after_payment_url_is_none():
    link = PaymentLink(slug="x", title="x", currency="EUR", after_payment_url="")

    assert link.after_payment_url is None


def test_sixth_custom_field_is_rejected(db):
    link = PaymentLink(slug="six", title="Six fields", currency="EUR")
    for position in range(6):
        link.custom_fields.append(
            CustomField(
                position=position,
                key=f"field_{position}",
                label=f"Field {position}",
                kind=CustomFieldKind.TEXT,
            )
        )
    db.add(link)

    with pytest.raises(IntegrityError):
        db.commit()
