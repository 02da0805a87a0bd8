"""Classification levels, users, their clearance and their role.

Levels are ordered (default `public` < `official` < `restricted`; `BRIEFING_LEVELS`
changes them). A user may see documents at or below their clearance. A role says what a
user may do: a `reader` asks, briefs and exports; an `editor` may also upload, replace and
remove documents within their clearance; an `admin` may also manage users. Users live in the
database (`assistant.database`) with salted PBKDF2 password hashes, shared by every server; with
no user there the assistant runs as a single local user with the highest clearance and the admin role.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import func, select

from assistant.database.connection import Database, now
from assistant.database.schema import users as users_table

ITERATIONS = 200_000
ROLES = ("reader", "editor", "admin")
"""Each role may do what the ones before it may."""
DEFAULT_ROLE = "reader"
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class AccessError(ValueError):
    """A bad level, role, user name or password, or an action the user's role does not allow; the message says which."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    return role


def require_role(role: str, needed: str, action: str) -> None:
    """Raise unless `role` includes `needed` (roles are ordered: reader < editor < admin)."""
    if ROLES.index(check_role(role)) < ROLES.index(needed):
        raise AccessError(f"{action} needs the {needed} role; yours is {role}")


class Levels:
    """The ordered classification levels."""

    def __init__(self, names: tuple[str, ...]):
        if not names or len(set(names)) != len(names):
            raise AccessError("classification levels must be a non-empty list of distinct names")
        self.names = names

    @property
    def highest(self) -> str:
        return self.names[-1]

    def check(self, level: str) -> str:
        if level not in self.names:
            raise AccessError(f"unknown classification level {level!r}; levels are {', '.join(self.names)}")
        return level

    def visible_to(self, clearance: str) -> tuple[str, ...] | None:
        """Labels a user of `clearance` may see; None means everything (the highest clearance)."""
        self.check(clearance)
        if clearance == self.highest:
            return None
        return self.names[: self.names.index(clearance) + 1]

    def highest_of(self, labels) -> str:
        """The most restrictive of `labels` (a label outside the levels counts as above them all)."""
        ranked = [(self.names.index(label) if label in self.names else len(self.names), label) for label in labels if label]
        return max(ranked)[1] if ranked else ""


def _hash(password: str, salt: bytes, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations).hex()


class Users:
    """The users: name → salted password hash, clearance and role, one row each. Passwords are never stored.

    Adding a user is one statement (insert, or update the row of that name), so concurrent edits from any
    number of servers lose none."""

    def __init__(self, database: Database, levels: Levels):
        self.database = database
        self.levels = levels

    def exists(self) -> bool:
        """Whether any user is defined (then the web app asks for a log-in)."""
        with self.database.connect() as connection:
            return bool(connection.execute(select(func.count()).select_from(users_table)).scalar())

    def names(self) -> list[str]:
        with self.database.connect() as connection:
            return list(connection.execute(select(users_table.c.name).order_by(users_table.c.name)).scalars())

    def add(self, name: str, password: str, clearance: str, role: str = DEFAULT_ROLE) -> None:
        if not _NAME.match(name):
            raise AccessError("a user name is 1-64 letters, digits, dots, dashes or underscores")
        if len(password) < 8:
            raise AccessError("the password must have at least 8 characters")
        self.levels.check(clearance)
        check_role(role)
        salt = secrets.token_bytes(16)
        row = {"name": name, "salt": salt.hex(), "hash": _hash(password, salt, ITERATIONS), "iterations": ITERATIONS,
               "clearance": clearance, "role": role, "updated_at": now()}
        with self.database.begin() as connection:
            self.database.upsert(connection, users_table, row, ["name"], [k for k in row if k != "name"])

    def _record(self, name: str) -> dict | None:
        with self.database.connect() as connection:
            row = connection.execute(select(users_table).where(users_table.c.name == name)).mappings().first()
        return dict(row) if row else None

    def authenticate(self, name: str, password: str) -> bool:
        record = self._record(name)
        if not record:
            _hash(password, b"timing-equaliser", ITERATIONS)  # the same work for unknown names
            return False
        expected = _hash(password, bytes.fromhex(record["salt"]), int(record["iterations"]))
        return hmac.compare_digest(expected, record["hash"])

    def _known(self, name: str) -> dict:
        record = self._record(name)
        if not record:
            raise AccessError(f"no user {name!r}")
        return record

    def profile(self, name: str) -> tuple[str, str]:
        """The user's clearance and role, read together."""
        record = self._known(name)
        return self.levels.check(record["clearance"]), check_role(record["role"])

    def clearance(self, name: str) -> str:
        return self.profile(name)[0]

    def role(self, name: str) -> str:
        return self.profile(name)[1]
