"""Checks that a quote's evidence is intact: its log chain, content and signed PDF."""

import hmac
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portal.models import Quote, QuoteEvent
from portal.quotes.canonical import sha256_hex
from portal.quotes.content import content_digest
from portal.quotes.evidence import (
    GENESIS_DIGEST,
    STATUS_KEY,
    event_digest,
    quote_events,
)


@dataclass
class Verification:
    """The outcome of a check: how much was checked and every problem found."""

    events: int = 0
    pdf_checked: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def events_checked(self) -> str:
        """A count of the events checked, in English: "1 event checked"."""
        noun = "event" if self.events == 1 else "events"
        return f"{self.events} {noun} checked"


# Events whose details record a digest that the quote row must still carry:
# action, key in the details, and the Quote attribute.
RECORDED_DIGESTS = (
    ("published", "content_digest", "content_digest"),
    ("signed_pdf_stored", "digest", "signed_pdf_digest"),
)


def verify_quote(session: Session, quote: Quote) -> Verification:
    """Check the quote's event chain, its content digest, signatures and signed PDF."""
    result = Verification()
    events = quote_events(session, quote)
    _check_chain(events, quote, result)
    _check_recorded_digests(events, quote, result)
    _check_content(quote, result)
    _check_signed_pdf(quote, result)
    return result


def _check_chain(events: list[QuoteEvent], quote: Quote, result: Verification) -> None:
    result.events = len(events)
    if not events:
        result.problems.append("The quote has no events in its log.")
        return

    expected_prev = GENESIS_DIGEST
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            result.problems.append(
                f"Event {expected_seq} is missing: the log goes on with event "
                f"{event.seq}."
            )
        if not hmac.compare_digest(event.prev_digest, expected_prev):
            result.problems.append(
                f"Event {event.seq} does not link to the event before it."
            )
        if not hmac.compare_digest(event.digest, event_digest(event)):
            result.problems.append(
                f"Event {event.seq} ({event.action}) was changed after it was written."
            )
        expected_prev = event.digest

    last_status = events[-1].details.get(STATUS_KEY)
    if last_status != quote.status.value:
        result.problems.append(
            f"The last event leaves the quote {last_status}, but it is "
            f"{quote.status.value}: events are missing from the end of the log."
        )


def _check_recorded_digests(
    events: list[QuoteEvent], quote: Quote, result: Verification
) -> None:
    for action, key, attribute in RECORDED_DIGESTS:
        recorded = [event for event in events if event.action == action]
        if not recorded:
            continue
        expected = recorded[-1].details.get(key)
        stored = getattr(quote, attribute)
        if expected is None or stored is None or expected != stored:
            result.problems.append(
                f"The quote's {attribute} differs from the one its "
                f"{action} event recorded."
            )


def _check_content(quote: Quote, result: Verification) -> None:
    if quote.content_digest is None:
        return
    if not hmac.compare_digest(quote.content_digest, content_digest(quote)):
        result.problems.append(
            "The quote's lines, terms, schedule or signers changed after it "
            "was published."
        )
    for signer in quote.signers:
        if signer.signed_at is None or signer.signed_digest is None:
            continue
        if not hmac.compare_digest(signer.signed_digest, quote.content_digest):
            result.problems.append(
                f"Signer {signer.position} signed content with a different digest."
            )


def _check_signed_pdf(quote: Quote, result: Verification) -> None:
    if quote.signed_pdf is None:
        if quote.signed_pdf_digest is not None:
            result.problems.append("The signed PDF is missing but its digest is set.")
        return
    result.pdf_checked = True
    actual = sha256_hex(quote.signed_pdf)
    if quote.signed_pdf_digest is None or not hmac.compare_digest(
        actual, quote.signed_pdf_digest
    ):
        result.problems.append(
            "The stored signed PDF does not match its SHA-256 digest."
        )
