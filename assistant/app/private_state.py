"""The state root is private to the account that runs the assistant: folders 700, files 600.

The index and the embedded database (users, audit log, feedback, uploaded documents) are no one else's
business on a shared server. From the moment `keep_private` runs, every file the process
creates is readable by its own account only (umask 077); what an earlier run left under the
state root with group or other access loses it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def keep_private(root: Path) -> None:
    """Files created from now on are private, and nothing under `root` keeps group or other access."""
    os.umask(PRIVATE_UMASK)
    if not root.is_dir():
        return
    for folder, _, files in os.walk(root):
        for path in (folder, *(os.path.join(folder, name) for name in files)):
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and mode & 0o077:
                os.chmod(path, stat.S_IMODE(mode) & 0o700)
