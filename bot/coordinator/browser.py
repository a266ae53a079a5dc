"""Headless Chromium, to turn a page into a PDF or a screenshot (Debian's chromium package)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
"""Without the background-networking flags Chromium keeps calling Google from a closed network."""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render(page: Path, out: Path, *, size: tuple[int, int] = (1240, 1754)) -> None:
    """``out`` ending in .pdf prints the page; .png takes a screenshot."""
    binary = chromium()
    if binary is None:
        raise RuntimeError("Chromium is needed for this (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        target = f"--print-to-pdf={out}" if out.suffix == ".pdf" else f"--screenshot={out}"
        subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
             "--no-pdf-header-footer", target, page.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    if not out.exists():
        raise RuntimeError(f"Chromium did not write {out}")
