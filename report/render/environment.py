"""The Jinja environment of the site and the PDF, with the filters the templates format numbers by.

Filters only format; every judgement a page states is chosen in Python by a step's findings.
"""

from __future__ import annotations

import math
from pathlib import Path

from report import keystats
from report.pipeline.steps import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "templates"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def num(value, digits: int = 2) -> str:
    """A number with fixed decimals; a dash for missing values."""
    if value is None:
        return "–"
    return f"{float(value):.{digits}f}"


def thousands(value) -> str:
    return f"{int(value):,}" if value is not None else "–"


def stat(value) -> str:
    """A key statistic: whole numbers with thousands separators, others to four significant digits."""
    if value is None:
        return "–"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{float(value):.4g}"


def percent(value, digits: int = 1) -> str:
    return f"{100 * float(value):.{digits}f} %" if value is not None else "–"


def percent_range(interval, digits: int = 1) -> str:
    """An interval of shares as percentages, the sign once: "28.1–33.6 %"; a dash for a missing one."""
    if interval is None:
        return "–"
    low, high = (100 * float(v) for v in interval)
    return f"{low:.{digits}f}–{high:.{digits}f} %"


def share(value, digits: int = 2) -> str:
    """A share as a percentage; shares too small for `digits` decimals keep two significant digits (0.0083 %)."""
    if value is None:
        return "–"
    p = 100 * float(value)
    if p == 0 or abs(p) >= 10 ** -digits:
        return f"{p:.{digits}f} %"
    decimals = -math.floor(math.log10(abs(p))) + 1
    return f"{p:.{decimals}f} %"


def significant(value, digits: int = 3) -> str:
    """A number to `digits` significant digits, never in scientific notation; whole numbers keep every digit."""
    if value is None:
        return "–"
    value = float(value)
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{value:,.{decimals}f}"


def key_stat(value, key: str = "") -> str:
    """A key statistic in its unit (see `report.keystats`): counts whole, shares as percentages, others
    to three significant digits."""
    if value is None:
        return "–"
    unit = keystats.definition(key).unit if key else ""
    if unit == "%":
        return f"{significant(100 * value)} %"
    if isinstance(value, int):
        return f"{value:,}"
    return significant(value) + (f" {unit}" if unit else "")


def pvalue(value) -> str:
    """A p-value with its relation, to follow "p ": "= 0.0123", or "< 0.0001" below that."""
    if value is None:
        return "–"
    return "< 0.0001" if float(value) < 1e-4 else f"= {float(value):.3g}"


def roman(number: int) -> str:
    return ROMAN.get(int(number), str(number))


def plural(count, suffixes: str = "s") -> str:
    """The ending a word takes after `count` (a number or a collection): "s", or "y,ies" -> "y"/"ies"."""
    singular, _, many = suffixes.rpartition(",") if "," in suffixes else ("", "", suffixes)
    number = len(count) if hasattr(count, "__len__") else count
    return singular if number == 1 else many


def listing(items) -> str:
    """Words joined as prose: "a", "a and b", "a, b and c"."""
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def environment(templates: Path = TEMPLATES_DIR):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=num, thousands=thousands, percent=percent, roman=roman, stat=stat, plural=plural,
                       share=share, percent_range=percent_range, key_stat=key_stat, significant=significant, pvalue=pvalue, listing=listing)
    return env
