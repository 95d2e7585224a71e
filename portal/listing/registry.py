"""The index definitions by name."""

from portal.listing.contacts import CONTACTS
from portal.listing.definition import IndexDefinition
from portal.listing.invoices import INVOICES
from portal.listing.payment_links import PAYMENT_LINKS
from portal.listing.payments import PAYMENTS
from portal.listing.quotes import QUOTES
from portal.listing.subscriptions import SUBSCRIPTIONS
from portal.models import IndexName

INDEXES: dict[IndexName, IndexDefinition] = {
    definition.name: definition
    for definition in (
        PAYMENTS,
        INVOICES,
        PAYMENT_LINKS,
        CONTACTS,
        SUBSCRIPTIONS,
        QUOTES,
    )
}


def index_definition(name: str) -> IndexDefinition | None:
    """Return the definition named ``name``, or None for an unknown name."""
    try:
        return INDEXES[IndexName(name)]
    except ValueError:
        return None
