"""OCR for PDF pages that have no text layer, with the Tesseract command-line tool.

Tesseract is a system package (Debian: `apt-get install tesseract-ocr`); when it is
missing, `ocr_available()` is False and the PDF loader reports the scanned pages instead.
"""

from __future__ import annotations

import shutil
import subprocess

OCR_DPI = 300
OCR_TIMEOUT_S = 120
INSTALL_HINT = "install Tesseract (Debian/Ubuntu: apt-get install tesseract-ocr) to read scanned pages"


class OcrError(Exception):
    """Tesseract failed on a page; the message says how."""


def tesseract_path(command: str = "tesseract") -> str | None:
    return shutil.which(command)


def ocr_available(command: str = "tesseract") -> bool:
    return tesseract_path(command) is not None


def ocr_png(png: bytes, language: str = "eng", command: str = "tesseract") -> str:
    """The text Tesseract reads from one PNG image."""
    binary = tesseract_path(command)
    if binary is None:
        raise OcrError(f"Tesseract is not installed: {INSTALL_HINT}")
    try:
        done = subprocess.run([binary, "stdin", "stdout", "-l", language, "--psm", "3"], input=png,
                              capture_output=True, timeout=OCR_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise OcrError(f"Tesseract took more than {OCR_TIMEOUT_S} s") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(lines[-1] if lines else f"Tesseract failed (exit {done.returncode})")
    return done.stdout.decode("utf-8", "replace")


def ocr_page(page, language: str = "eng", command: str = "tesseract") -> str:
    """OCR a `pymupdf.Page` rendered at `OCR_DPI`."""
    return ocr_png(page.get_pixmap(dpi=OCR_DPI).tobytes("png"), language, command)
