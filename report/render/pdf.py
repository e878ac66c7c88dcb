"""The PDF: one printable HTML page of every post, turned into report.pdf by WeasyPrint."""

from __future__ import annotations

import logging
from pathlib import Path

from report.errors import ReportError


def write_pdf(html: str, base: Path, target: Path) -> None:
    """Render `html` (links relative to `base`) into the PDF `target`."""
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from weasyprint import HTML
    except OSError as err:  # Pango missing
        raise ReportError(f"WeasyPrint cannot load its system libraries ({err}); install Pango >= 1.44") from None
    HTML(string=html, base_url=str(base)).write_pdf(target)
