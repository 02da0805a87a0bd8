"""Classification levels, users, their clearance and their role.

Levels are ordered (default `public` < `official` < `restricted`; `BRIEFING_LEVELS`
changes them). A user may see documents at or below their clearance. A role says what a
user may do: a `reader` asks, briefs and exports; an `editor` may also upload, replace and
remove documents within their clearance; an `admin` may also manage users. Users live in
`<state root>/users.json` with salted PBKDF2 password hashes; without that file the
assistant runs as a single local user with the highest clearance and the admin role.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

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
    """The users file: name → salted password hash and clearance. Passwords are never stored."""

    def __init__(self, path: Path, levels: Levels):
        self.path = path
        self.levels = levels

    def exists(self) -> bool:
        return self.path.is_file()

    def _read(self) -> dict:
        if not self.exists():
            return {}
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AccessError(f"cannot read the users file {self.path}: {exc}") from None

    def add(self, name: str, password: str, clearance: str, role: str = DEFAULT_ROLE) -> None:
        if not _NAME.match(name):
            raise AccessError("a user name is 1-64 letters, digits, dots, dashes or underscores")
        if len(password) < 8:
            raise AccessError("the password must have at least 8 characters")
        self.levels.check(clearance)
        check_role(role)
        users = self._read()
        salt = secrets.token_bytes(16)
        users[name] = {"salt": salt.hex(), "hash": _hash(password, salt, ITERATIONS), "iterations": ITERATIONS,
                       "clearance": clearance, "role": role}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_suffix(".tmp")
        staging.write_text(json.dumps(users, indent=2), encoding="utf-8")
        os.chmod(staging, 0o600)
        os.replace(staging, self.path)

    def authenticate(self, name: str, password: str) -> bool:
        record = self._read().get(name)
        if not record:
            _hash(password, b"timing-equaliser", ITERATIONS)  # the same work for unknown names
            return False
        expected = _hash(password, bytes.fromhex(record["salt"]), int(record["iterations"]))
        return hmac.compare_digest(expected, record["hash"])

    def _record(self, name: str) -> dict:
        record = self._read().get(name)
        if not record:
            raise AccessError(f"no user {name!r}")
        return record

    def clearance(self, name: str) -> str:
        return self.levels.check(self._record(name)["clearance"])

    def role(self, name: str) -> str:
        """The user's role; users saved before roles existed are readers."""
        return check_role(self._record(name).get("role", DEFAULT_ROLE))
