"""The versioned consent to sign electronically."""

import pytest

from portal.quotes.consent import (
    CONSENT_TEXTS,
    CONSENT_VERSION,
    COUNTERSIGN_CONSENT_VERSION,
    UnknownConsentVersion,
    consent_text,
)


def test_current_version_has_text(app):
    assert CONSENT_VERSION in CONSENT_TEXTS
    with app.test_request_context():
        text = consent_text("en", "Nordlys Studio")
    assert text.startswith("I agree to sign this quote electronically.")
    assert "Nordlys Studio" in text


def test_countersign_version_has_own_text(app):
    assert COUNTERSIGN_CONSENT_VERSION in CONSENT_TEXTS
    with app.test_request_context():
        text = consent_text("en", "Nordlys Studio", COUNTERSIGN_CONSENT_VERSION)
    assert text.startswith("I agree to countersign this quote electronically")
    assert "draw" not in text
    assert "copy" not in text


def test_version_fits_its_column():
    assert len(CONSENT_VERSION) <= 20
    assert len(COUNTERSIGN_CONSENT_VERSION) <= 20


def test_unknown_version_is_rejected(app):
    with app.test_request_context(), pytest.raises(UnknownConsentVersion):
        consent_text("en", "Nordlys Studio", "1999-01-01")
