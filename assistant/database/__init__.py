"""The database of the state several servers share: users, the audit log, feedback, uploaded documents, log-in
counters and sessions, and the library's change counter.

A SQLite file under the state root by default; PostgreSQL (`BRIEFING_DATABASE_URL`) for several servers. The
schema is declared once (`schema`) and built by Alembic migrations (`migrations/`, run by `migrate`).
"""
