"""billing details on orders

Each order keeps the buyer's details as submitted, so that its receipt and
invoice stop following the shared contact row. Existing orders are filled
from the contact of their payment as it reads at upgrade time, because the
details submitted with them were not kept.

Plain ADD and DROP COLUMN, rather than batch mode, keep SQLite from
rebuilding the table: dropping the old ``orders`` table fails while foreign
keys are enforced and rows of other tables refer to it. SQLite 3.35 or later
is needed for DROP COLUMN.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Contact field -> maximum length, the same as on the contacts table.
FIELDS = {
    "email": 320,
    "name": 200,
    "phone": 40,
    "address_line1": 200,
    "address_line2": 200,
    "postal_code": 20,
    "city": 100,
    "country": 2,
}


def upgrade() -> None:
    for field, length in FIELDS.items():
        op.add_column(
            "orders",
            sa.Column(f"billing_{field}", sa.String(length=length), nullable=True),
        )
    _fill_from_contacts()


def downgrade() -> None:
    for field in reversed(FIELDS):
        op.drop_column("orders", f"billing_{field}")


def _fill_from_contacts() -> None:
    """Copy the contact of each order's payment into the order's billing columns."""
    orders = sa.table(
        "orders", sa.column("id"), *(sa.column(f"billing_{field}") for field in FIELDS)
    )
    payments = sa.table("payments", sa.column("order_id"), sa.column("contact_id"))
    contacts = sa.table("contacts", sa.column("id"), *(sa.column(f) for f in FIELDS))

    def contact_value(field: str) -> sa.ScalarSelect:
        return (
            sa.select(contacts.c[field])
            .select_from(
                payments.join(contacts, contacts.c.id == payments.c.contact_id)
            )
            .where(payments.c.order_id == orders.c.id)
            .scalar_subquery()
        )

    op.execute(
        orders.update().values(
            {f"billing_{field}": contact_value(field) for field in FIELDS}
        )
    )
