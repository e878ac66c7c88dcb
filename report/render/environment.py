"""The Jinja environment of the site and the PDF, with the filters the templates format numbers by.

Filters only format; every judgement a page states is chosen in Python by a step's findings.
"""

from __future__ import annotations

import math
from pathlib import Path

from report import keystats
from report.original import ORIGINAL
from report.pipeline.steps import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "templates"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
PROSE_DIGITS = 3  # significant digits a number of the prose keeps
SMALLEST_POSITIONAL = 1e-3  # below this a number reads as "9.33 × 10⁻⁵": never "9.33e-05", never a string of zeros


def sig(value, digits: int = PROSE_DIGITS) -> str:
    """A number to at most `digits` significant digits, never in e-notation: 17.6, 0.0933, 0.5, 9.33 × 10⁻⁵, 114,000.

    Whole numbers (counts) print whole, every digit kept, with thousands separators; trailing zeros after the
    decimal point are dropped; numbers below SMALLEST_POSITIONAL take a power of ten (for tables;
    prose says such values in words). A dash for missing values.
    """
    if value is None:
        return "–"
    x = float(value)
    if not math.isfinite(x):
        return "–" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    exponent = int(exponent)
    if abs(x) < SMALLEST_POSITIONAL:
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return f"{mantissa} × 10{str(exponent).translate(SUPERSCRIPT)}"
    if exponent >= digits - 1:  # 113,813.4 -> 114,000; whole numbers (counts) kept every digit above
        return f"{round(x, digits - 1 - exponent):,.0f}"
    text = f"{float(f'{mantissa}e{exponent}'):,.{digits - 1 - exponent}f}"
    return text.rstrip("0").rstrip(".")  # 0.5, not 0.500; 27, not 27.0


def num(value, digits: int = 2) -> str:
    """A number with at most `digits` decimals and no more than PROSE_DIGITS significant ones where the decimals
    would add more (237.4 -> "237" at one decimal, 15.41 -> "15.4" at two; 0.70 stays "0.70"); one too small for
    the decimals keeps two significant digits (never "0.00"); a dash for missing values."""
    if value is None:
        return "–"
    x = float(value)
    if x == 0 or not math.isfinite(x):
        return sig(x) if x else f"{x:.{digits}f}"
    if abs(x) < 0.5 * 10 ** -digits:
        return sig(x, 2)
    exponent = math.floor(math.log10(abs(round(x, digits))))
    return f"{x:.{min(digits, max(0, PROSE_DIGITS - 1 - exponent))}f}"


def plus_minus(mean, spread) -> str:
    """"15.4 ± 4.3": the spread to two significant digits and the mean to the same decimals, so neither claims
    more precision than the other carries."""
    if mean is None or spread is None:
        return "–"
    spread = float(spread)
    if spread <= 0 or not math.isfinite(spread):
        return f"{sig(mean)} ± {sig(spread)}"
    decimals = max(0, 1 - math.floor(math.log10(spread)))
    return f"{float(mean):,.{decimals}f} ± {spread:,.{decimals}f}"


def thousands(value) -> str:
    return f"{int(value):,}" if value is not None else "–"


def stat(value) -> str:
    """A key statistic: whole numbers with thousands separators, others to three significant digits (`sig`)."""
    return sig(value)


def percent_range(interval, digits: int = 1) -> str:
    """An interval of shares as percentages, the sign once: "28.1–33.6 %"; a dash for a missing one."""
    if interval is None:
        return "–"
    low, high = (100 * float(v) for v in interval)
    return f"{low:.{digits}f}–{high:.{digits}f} %"


def percent(value, digits: int | None = None) -> str:
    """A share as a percentage: to three significant digits ("7.12 %", "27.3 %", "0.0833 %"), or with `digits`
    fixed decimals; a nonzero share too small for those decimals keeps two significant digits (never "0.0 %"),
    and a share short of all keeps the digits that show it (never "100 %")."""
    if value is None:
        return "–"
    p = 100 * float(value)
    if 0 < abs(p) < SMALLEST_POSITIONAL:
        return f"less than {sig(SMALLEST_POSITIONAL)} %"  # prose has no use for 8.3 × 10⁻⁵ %
    if digits is None:
        shown = 3
        while shown < 8 and p < 100 and sig(p, shown) == "100":  # a share short of all never reads as "100 %"
            shown += 1
        return f"{sig(p, shown)} %"
    if p != 0 and abs(p) < 0.5 * 10 ** -digits:
        return f"{sig(p, 2)} %"
    if p < 100 and f"{p:.{digits}f}" == f"{100:.{digits}f}":
        return percent(value)
    return f"{p:.{digits}f} %"


def share(value) -> str:
    """A share as a percentage to three significant digits (see `percent`)."""
    return percent(value)


def portion(count: int, total: int, min_count: int, noun: str = "") -> str:
    """`count` of `total` things as prose: "3 of 21" (or "none of 21", "all 21") while `total` is below
    `min_count`, where a percentage would claim a precision the sample lacks; a percentage from there on.

    With a noun the phrase names what is counted: "3 of the 21 decodes", "none of the 21 decodes",
    "14.3 % of the 500 decodes".
    """
    count, total = int(count), int(total)
    things = f" {noun}" if noun else ""
    if total < min_count:
        the = " the" if noun else ""
        if count == 0:
            return f"none of{the} {total:,}{things}"
        if count == total and total > 1:
            return f"all {total:,}{things}"
        return f"{count:,} of{the} {total:,}{things}"
    text = percent(count / total) if total else "–"
    return f"{text} of the {total:,}{things}" if noun else text


def out_of(count, total, noun: str = "") -> str:
    """`count` of `total` things that are not a sample's images (components, pairs, slices) as an exact count:
    "3 of 256", "none of the 256 components", "all 8 axes"."""
    if count is None or total is None:
        return "–"
    return portion(count, total, math.inf, noun)


def _min_count(context) -> int:
    """The run's `analysis.uncertainty.min_count_for_percent` (its default where a page has no parameters)."""
    from report.params import UncertaintyParams

    params = context.get("params")
    section = params.analysis.uncertainty if params is not None else UncertaintyParams()
    return section.min_count_for_percent


def share_of(context, value, total, noun: str = "") -> str:
    """A share of `total` images or decodes, printed as `portion` prints it (the filter the templates use)."""
    if value is None or total is None:
        return "–"
    return portion(round(float(value) * int(total)), int(total), _min_count(context), noun)


def count_of(context, count, total, noun: str = "") -> str:
    """`count` of `total` images or decodes, printed as `portion` prints it."""
    if count is None or total is None:
        return "–"
    return portion(count, total, _min_count(context), noun)


def key_stat(value, key: str = "") -> str:
    """A key statistic in its unit (see `report.keystats`): counts whole, shares as percentages, others
    to three significant digits."""
    if value is None:
        return "–"
    unit = keystats.definition(key).unit if key else ""
    if unit == "%":
        return f"{sig(100 * value)} %"
    if isinstance(value, int):
        return f"{value:,}"
    return sig(value) + (f" {unit}" if unit else "")


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


def reciprocal(value) -> float | None:
    """1 / value, to say "a million times smaller" rather than "below 1e-06 × the largest"."""
    return None if value is None or float(value) == 0 else 1 / float(value)


def capfirst(text) -> str:
    """The text with its first letter upper-case, the rest untouched (Jinja's `capitalize` lowers the rest)."""
    text = str(text)
    return text[:1].upper() + text[1:]


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
    env.filters.update(num=num, sig=sig, thousands=thousands, percent=percent, roman=roman, stat=stat, plural=plural,
                       share=share, percent_range=percent_range, key_stat=key_stat, pvalue=pvalue,
                       listing=listing, capfirst=capfirst, out_of=out_of, reciprocal=reciprocal, plus_minus=plus_minus,
                       share_of=jinja2.pass_context(share_of), count_of=jinja2.pass_context(count_of))
    env.globals["original"] = ORIGINAL  # the original series and its published numbers, on every page
    return env
