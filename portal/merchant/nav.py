"""The back office's left navigation.

To add a page, add one ``NavEntry`` line in the place where it should show.
An entry shows only when its endpoint is registered and the signed-in staff
member's role has its permission, so entries for pages not built yet stay
hidden.
"""

from collections.abc import Container
from dataclasses import dataclass

from portal.merchant.permissions import Permission, has_permission
from portal.models import StaffRole


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str
    endpoint: str
    permission: Permission


NAV: list[NavEntry] = [
    NavEntry("Dashboard", "merchant.dashboard", Permission.VIEW),
    NavEntry("Payments", "merchant.payments", Permission.VIEW),
    NavEntry("Payouts", "merchant.payouts", Permission.VIEW),
    NavEntry("Invoices", "merchant.invoices", Permission.VIEW),
    NavEntry("Quotes", "merchant.quotes", Permission.VIEW),
    NavEntry("Subscriptions", "merchant.subscriptions", Permission.VIEW),
    NavEntry("Payment links", "merchant.payment_links", Permission.VIEW),
    NavEntry("Catalogue", "merchant.catalogue", Permission.VIEW),
    NavEntry("Contacts", "merchant.contacts", Permission.VIEW),
    NavEntry("Lists", "merchant.lists", Permission.VIEW),
    NavEntry("Settings", "merchant.settings", Permission.SETTINGS),
    NavEntry("Staff", "merchant.staff", Permission.STAFF),
]


def visible_entries(role: StaffRole, endpoints: Container[str]) -> list[NavEntry]:
    """Return the entries whose endpoint exists and whose permission ``role`` has."""
    return [
        entry
        for entry in NAV
        if entry.endpoint in endpoints and has_permission(role, entry.permission)
    ]
