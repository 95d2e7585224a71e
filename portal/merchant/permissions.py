"""The permissions of each staff role in the back office."""

from enum import StrEnum

from portal.models import StaffRole


class Permission(StrEnum):
    VIEW = "view"  # read the sales pages: payments, invoices, links, contacts, payouts
    SELL = "sell"  # create and edit payment links, invoices, the catalogue
    REFUND = "refund"  # refunds, manual payments, voids
    SETTINGS = "settings"  # the business's settings
    APPROVE = "approve"  # approve quotes above the business's approval threshold
    STAFF = "staff"  # add staff, change roles, deactivate


_SALES = frozenset({Permission.VIEW, Permission.SELL})
_ADMIN = _SALES | {Permission.REFUND, Permission.SETTINGS, Permission.APPROVE}

ROLE_PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.OWNER: frozenset(Permission),
    StaffRole.ADMIN: _ADMIN,
    StaffRole.SALES: _SALES,
    StaffRole.VIEWER: frozenset({Permission.VIEW}),
}


def has_permission(role: StaffRole, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
