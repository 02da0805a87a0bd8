"""Log-in throttling: after too many failed log-ins an account, at one client address, or the address
itself must wait.

An account is counted per address: `max_failures` failures on an account from one address make
that account wait *at that address*, so a stranger guessing an official's password locks
themselves out, never the official working from their own address. An address has its own
budget, four times as large (several users may share it), whatever accounts it tries, so one
address cannot guess its way through many accounts. The wait starts at `lockout_s` and doubles
with each further failure, up to an hour. A success clears the account's count at that address
and the address's count. Checking happens before the password is hashed, so throttled attempts
cost no hashing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_WAIT_S = 3600.0
ADDRESS_FACTOR = 4
"""An address may fail this many times more often than one account: several users may share it."""


class LoginThrottled(Exception):
    """Too many failed log-ins; the message says how long to wait."""

    def __init__(self, wait_s: float):
        self.wait_s = wait_s
        super().__init__(f"Too many failed log-ins: try again in {math.ceil(wait_s)} seconds.")


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0


class LoginThrottle:
    """Counts failed log-ins per account at each client address, and per address; thread-safe."""

    def __init__(self, max_failures: int = 5, lockout_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.clock = clock
        self._records: dict[tuple[str, str], _Record] = {}
        self._lock = threading.Lock()

    def _keys(self, account: str, address: str) -> list[tuple[str, str]]:
        return [("account", f"{account.lower()} at {address}"), ("address", address)]

    def check(self, account: str, address: str) -> None:
        """Raise LoginThrottled while the account must wait at this address, or the address must wait."""
        now = self.clock()
        with self._lock:
            waits = [r.blocked_until - now for k in self._keys(account, address) if (r := self._records.get(k))]
        wait = max(waits, default=0.0)
        if wait > 0:
            raise LoginThrottled(wait)

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(account, address):
                record = self._records.setdefault(key, _Record())
                record.failures += 1
                excess = record.failures - self.max_failures * (ADDRESS_FACTOR if key[0] == "address" else 1)
                if excess >= 0:
                    record.blocked_until = now + min(self.lockout_s * 2 ** excess, MAX_WAIT_S)

    def succeeded(self, account: str, address: str) -> None:
        with self._lock:
            for key in self._keys(account, address):
                self._records.pop(key, None)
