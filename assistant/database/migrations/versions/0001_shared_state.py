"""The shared state: users, the audit log (answers and library changes), feedback, uploaded documents, log-in
counters and sessions, deployment-wide values, and the record of files imported from the state root.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIME = sa.String(40)
NAME = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", NAME, nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(128), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.Column("clearance", NAME, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_users"),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", TIME, nullable=False),
        sa.Column("username", NAME, nullable=False),
        sa.Column("clearance", NAME, nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("standalone_query", sa.Text(), nullable=False),
        sa.Column("filter", sa.Text(), nullable=False),
        sa.Column("retrieved", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("prompt_version", sa.String(64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("citations", sa.Text(), nullable=False),
        sa.Column("verification", sa.Text(), nullable=False),
        sa.Column("server", sa.String(200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_answers_username_time", "answers", ["username", "time"])
    op.create_table(
        "library_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", TIME, nullable=False),
        sa.Column("username", NAME, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("server", sa.String(200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_library_changes"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", TIME, nullable=False),
        sa.Column("username", NAME, server_default="", nullable=False),
        sa.Column("vote", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("classification", NAME, nullable=False),
        sa.Column("uploaded_by", NAME, nullable=False),
        sa.Column("uploaded_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
        sa.UniqueConstraint("source", name="uq_uploads_source"),
    )
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_login_failures"),
    )
    op.create_table(
        "login_sessions",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("username", NAME, nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_login_sessions"),
    )
    op.create_index("ix_login_sessions_username", "login_sessions", ["username"])
    op.create_table(
        "deployment",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_deployment"),
    )
    op.create_table(
        "legacy_imports",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("time", TIME, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_legacy_imports"),
    )


def downgrade() -> None:
    for table in ("legacy_imports", "deployment", "login_sessions", "login_failures", "uploads", "feedback",
                  "library_changes", "answers", "users"):
        op.drop_table(table)
