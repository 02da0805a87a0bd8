"""Who each session cookie signs in, in the database: a user signed in through one server stays signed in when
the proxy sends them to another (the server they were on stopped, or was taken out).

`LoginSessions` is the mapping the web framework keeps its session tokens in (token → user name); sessions
expire after `SESSION_HOURS`. `shared_value` gives every server the same deployment-wide value (the session
cookie's name), made once by whichever server asks first.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, MutableMapping

from sqlalchemy import delete, func, select

from assistant.database.connection import Database
from assistant.database.schema import deployment, login_sessions

SESSION_HOURS = 12.0


class LoginSessions(MutableMapping):
    """token → user name, read and written through the database (a session older than `SESSION_HOURS` is gone)."""

    def __init__(self, database: Database, hours: float = SESSION_HOURS, clock=time.time):
        self.database = database
        self.lifetime_s = hours * 3600
        self.clock = clock

    def _fresh(self):
        return login_sessions.c.created > self.clock() - self.lifetime_s

    def __getitem__(self, token: str) -> str:
        if not isinstance(token, str) or not token:
            raise KeyError(token)
        with self.database.connect() as connection:
            name = connection.execute(select(login_sessions.c.username).where(
                login_sessions.c.token == token, self._fresh())).scalar()
        if name is None:
            raise KeyError(token)
        return name

    def __setitem__(self, token: str, name: str) -> None:
        with self.database.begin() as connection:
            connection.execute(delete(login_sessions).where(login_sessions.c.created <= self.clock() - self.lifetime_s))
            self.database.upsert(connection, login_sessions, {"token": token, "username": name, "created": self.clock()},
                                 ["token"], ["username", "created"])

    def __delitem__(self, token: str) -> None:
        with self.database.begin() as connection:
            if not connection.execute(delete(login_sessions).where(login_sessions.c.token == token)).rowcount:
                raise KeyError(token)

    def __iter__(self) -> Iterator[str]:
        with self.database.connect() as connection:
            return iter(list(connection.execute(select(login_sessions.c.token).where(self._fresh())).scalars()))

    def __len__(self) -> int:
        with self.database.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(login_sessions).where(self._fresh())).scalar())


def shared_value(database: Database, key: str, make=lambda: secrets.token_urlsafe(24)) -> str:
    """The deployment-wide value of `key`: made by the first server that asks, then read by all."""
    with database.begin() as connection:
        connection.execute(database.insert(deployment).values(key=key, value=make()).on_conflict_do_nothing())
        return connection.execute(select(deployment.c.value).where(deployment.c.key == key)).scalar_one()
