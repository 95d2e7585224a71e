"""Accepting a quote when its last required signature is in.

Acceptance fixes the instalments' due dates, stores the signed PDF once with
its digest, and starts the recurring lines right away when the quote is not
paid online. Runs inside the signature's transaction, with the quote locked.
"""

import logging

from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.database import now_utc
from portal.invoices.status import local_today
from portal.models import Quote, QuoteStatus
from portal.quotes.documents import store_signed_pdf
from portal.quotes.evidence import append_event
from portal.quotes.paying import start_recurring_lines
from portal.quotes.schedule import due_date

logger = logging.getLogger(__name__)

SYSTEM = "system"


def accept_quote(session: Session, quote: Quote, *, client_address: str | None) -> None:
    """Move a fully signed quote to accepted and store its signed PDF.

    The caller holds the quote's row lock and commits.
    """
    business = get_business(session)
    now = now_utc()
    accepted_on = local_today(now, business.timezone)
    quote.status = QuoteStatus.ACCEPTED
    quote.accepted_at = now
    for instalment in quote.instalments:
        instalment.due_on = due_date(instalment, accepted_on)
    session.flush()
    append_event(
        session,
        quote,
        "accepted",
        SYSTEM,
        client_address=client_address,
        details={
            "digest": quote.content_digest,
            "due_dates": [
                instalment.due_on.isoformat() for instalment in quote.instalments
            ],
        },
    )

    digest = store_signed_pdf(quote, business)
    append_event(
        session, quote, "signed_pdf_stored", SYSTEM, details={"digest": digest}
    )
    logger.info("quote %s accepted", quote.id)

    if not quote.collect_payment or not quote.instalments:
        # Nothing is paid online, so nothing else waits before they start.
        start_recurring_lines(session, quote, actor=SYSTEM)
