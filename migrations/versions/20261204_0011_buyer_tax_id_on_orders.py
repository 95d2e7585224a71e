"""buyer tax ID on orders

Orders keep the buyer's tax ID with the other bill-to details, so that an
invoice shows the tax ID the customer gave when it was issued.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("billing_tax_id", sa.String(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("billing_tax_id")
