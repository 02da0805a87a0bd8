"""The library's change counter and the documents each change touched (servers bring their lexical index up
to date when the counter moves, and only then).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_versions",
        sa.Column("collection", sa.String(200), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("collection", name="pk_library_versions"),
    )
    op.create_table(
        "library_events",
        sa.Column("collection", sa.String(200), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("collection", "version", "source", name="pk_library_events"),
    )


def downgrade() -> None:
    op.drop_table("library_events")
    op.drop_table("library_versions")
