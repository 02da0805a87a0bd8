"""Log-in throttling: after too many failed log-ins an account, at one client address, or the address
itself must wait; counted in the database, so every server counts the same attempts.

An account is counted per address: `max_failures` failures on an account from one address make
that account wait *at that address*, so a stranger guessing an official's password locks
themselves out, never the official working from their own address. An address has its own
budget, four times as large (several users may share it), whatever accounts it tries, so one
address cannot guess its way through many accounts. The wait starts at `lockout_s` and doubles
with each further failure, up to an hour. A success clears the account's count at that address
and the address's count. Checking happens before the password is hashed, so throttled attempts
cost no hashing. Deadlines are wall-clock seconds, which every server reads alike.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import delete, select, update

from assistant.database.connection import Database
from assistant.database.schema import login_failures

MAX_WAIT_S = 3600.0
ADDRESS_FACTOR = 4
"""An address may fail this many times more often than one account: several users may share it."""


class LoginThrottled(Exception):
    """Too many failed log-ins; the message says how long to wait."""

    def __init__(self, wait_s: float):
        self.wait_s = wait_s
        super().__init__(f"Too many failed log-ins: try again in {math.ceil(wait_s)} seconds.")


def throttle_keys(account: str, address: str) -> list[tuple[str, int]]:
    """The counters a log-in attempt touches, each with its budget factor: the account at that address, and the
    address."""
    return [(f"account {account.lower()} at {address}", 1), (f"address {address}", ADDRESS_FACTOR)]


class LoginThrottle:
    """Counts failed log-ins per account at each client address, and per address, in the shared database."""

    def __init__(self, database: Database, max_failures: int = 5, lockout_s: float = 30.0,
                 clock: Callable[[], float] = time.time):
        self.database = database
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.clock = clock

    def check(self, account: str, address: str) -> None:
        """Raise LoginThrottled while the account must wait at this address, or the address must wait."""
        keys = [key for key, _ in throttle_keys(account, address)]
        with self.database.connect() as connection:
            deadlines = connection.execute(
                select(login_failures.c.blocked_until).where(login_failures.c.key.in_(keys))).scalars().all()
        wait = max(deadlines, default=0.0) - self.clock()
        if wait > 0:
            raise LoginThrottled(wait)

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self.database.begin() as connection:
            for key, factor in throttle_keys(account, address):
                statement = self.database.insert(login_failures).values(key=key, failures=1, blocked_until=0.0)
                statement = statement.on_conflict_do_update(
                    index_elements=["key"], set_={"failures": login_failures.c.failures + 1})
                failures = connection.execute(statement.returning(login_failures.c.failures)).scalar_one()
                excess = failures - self.max_failures * factor
                if excess >= 0:
                    connection.execute(update(login_failures).where(login_failures.c.key == key).values(
                        blocked_until=now + min(self.lockout_s * 2 ** excess, MAX_WAIT_S)))

    def succeeded(self, account: str, address: str) -> None:
        keys = [key for key, _ in throttle_keys(account, address)]
        with self.database.begin() as connection:
            connection.execute(delete(login_failures).where(login_failures.c.key.in_(keys)))
