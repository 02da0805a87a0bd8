"""What one file may cost to index: bytes on disk, text extracted, zip inflation, passages.

Each limit is checked as early as it can be, before the expensive step it guards, and a
file over a limit is refused with one line that names the limit and its setting.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MB = 1024 * 1024


class LimitExceeded(Exception):
    """A file over one of the limits; the message names the limit and the setting that moves it."""


def _mb(value: int) -> str:
    return f"{value / MB:.3g} MB"


@dataclass(frozen=True)
class FileLimits:
    max_file_bytes: int = 50 * MB
    max_text_chars: int = 5 * MB
    max_inflated_bytes: int = 100 * MB
    max_passages: int = 3000

    def check_file_size(self, size: int) -> None:
        if size > self.max_file_bytes:
            raise LimitExceeded(f"larger than the {_mb(self.max_file_bytes)} limit (BRIEFING_MAX_FILE_MB)")

    def check_text(self, chars: int) -> None:
        """Text (or, for a plain-text file, its bytes) beyond the extracted-text limit."""
        if chars > self.max_text_chars:
            raise LimitExceeded(f"holds more than the {_mb(self.max_text_chars)} of text allowed per file"
                                " (BRIEFING_MAX_TEXT_MB)")

    def check_zip(self, data: bytes) -> None:
        """A zip (DOCX) whose declared inflated size is over the limits, judged from its directory alone.

        Python's zipfile never inflates an entry past its declared size, so the declaration bounds the work."""
        try:
            entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return  # the loader reports an unreadable file in its own words
        total = sum(entry.file_size for entry in entries)
        xml = sum(entry.file_size for entry in entries if entry.filename.endswith((".xml", ".rels")))
        if total > self.max_inflated_bytes or xml > self.max_inflated_bytes // 4:
            raise LimitExceeded(f"inflates to {_mb(total)} ({_mb(xml)} of XML); the limit is "
                                f"{_mb(self.max_inflated_bytes)} ({_mb(self.max_inflated_bytes // 4)} of XML)"
                                " (BRIEFING_MAX_INFLATED_MB)")

    def check_passages(self, count: int) -> None:
        if count > self.max_passages:
            raise LimitExceeded(f"splits into {count} passages; the limit is {self.max_passages} per file"
                                " (BRIEFING_MAX_PASSAGES)")
