"""allowed embed origins on payment links

Each payment link keeps the origins whose pages may embed its checkout in
an iframe, as a JSON list. Existing links get an empty list: no site may
embed them until the merchant lists one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "payment_links",
        sa.Column(
            "allowed_origins",
            sa.JSON(),
            nullable=False,
            server_default=sa.text("'[]'"),
        ),
    )


def downgrade() -> None:
    op.drop_column("payment_links", "allowed_origins")
