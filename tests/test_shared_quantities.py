"""Numbers that several posts state print identically wherever they appear, and come from one record.

Every shared quantity is printed through `quantity(name)` (report/render/quantities.py), which wraps
it in `<span data-quantity="name">`. The tiny site must print each name with one text on every page,
the posts that state the origin's place must all carry it, and no template may print a shared
quantity's source field directly.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict

import pytest

from report.render.environment import TEMPLATES_DIR
from report.render.quantities import QUANTITIES, QUANTITIES_BY_NAME, quantity_printer, shared_quantities

SPAN = re.compile(r'<span data-quantity="([a-z0-9-]+)">(.*?)</span>', re.S)

# Fields whose values are shared quantities: a template that prints one of them directly (inside {{ }})
# prints a second copy of a shared number, possibly from a second computation or in another format.
RAW_SOURCES = (
    r"d\.centre_radius", r"ps\.centre_radius", r"pos\.origin_distance", r"\bo\.euclidean",
    r"radius\.mean", r"data_radius_mean", r"d\.median_std", r"o\.median_std", r"first_axis_share\s*\|",
    r"mh\.share_farther", r"mh\.origin\b", r"mh\.data_mean", r"data_mahalanobis_mean",
    r"mahalanobis\.mean", r"\bm\.mean\b", r"\bm\.std\b", r"data_mahalanobis_std", r"data_mahalanobis_p99",
    r"data_p99", r"data_distance_mean", r"data_distance\s*\|", r"real_nearest_image_distance",
    r"yardstick\s*\|", r"real_face_share\s*\|", r"f\.origin_share_farther", r"origin_top", r"pc\.origin",
    r"d\.matching_b",
)


def spans_by_page(site) -> dict[str, dict[str, set[str]]]:
    """{quantity name: {page file: set of printed texts}} over every page of a site."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for page in sorted(site.glob("*.html")):
        for name, text in SPAN.findall(page.read_text(encoding="utf-8")):
            found[name][page.name].add(" ".join(html.unescape(text).split()))
    return found


@pytest.fixture(scope="module")
def tiny_spans(tiny_build):
    root, _ = tiny_build
    return spans_by_page(root / "tiny" / "site")


def test_each_shared_quantity_prints_one_text_on_every_page(tiny_spans):
    assert tiny_spans, "no shared quantity printed at all"
    for name, pages in tiny_spans.items():
        assert name in QUANTITIES_BY_NAME, f"unknown quantity {name!r} on {sorted(pages)}"
        texts = {text for found in pages.values() for text in found}
        assert len(texts) == 1, f"{name} prints differently: " + "; ".join(
            f"{page}: {sorted(found)}" for page, found in sorted(pages.items()))


def test_shared_quantities_are_stated_by_several_posts(tiny_spans):
    def posts(name):
        return {page for page in tiny_spans.get(name, {}) if page.startswith("post-")}

    # the origin's place: posts I, IV, VI and IX say it, with the same verdict and numbers
    for name in ("origin-place", "origin-mahalanobis", "origin-share-beyond"):
        assert {"post-1.html", "post-4.html", "post-6.html", "post-9.html"} <= posts(name), name
    # the yardstick of decoded real z-points: post V measures it, VI-VIII and X compare with it
    assert {"post-5.html", "post-6.html", "post-7.html", "post-8.html", "post-10.html"} <= posts("real-decode-distance")
    assert {"post-4.html", "post-5.html", "post-7.html", "post-8.html", "post-9.html"} <= posts("data-mahalanobis-mean")
    assert {"post-2.html", "post-4.html", "post-6.html", "post-9.html"} <= posts("centre-distance")
    assert {"post-1.html", "post-2.html", "post-4.html", "post-5.html"} <= posts("radius-mean")
    # and every defined quantity appears on at least two pages
    for q in QUANTITIES:
        assert len(tiny_spans.get(q.name, {})) >= 2, f"{q.name} is printed on fewer than two pages"


def test_no_template_prints_a_shared_quantity_from_its_raw_field():
    offending = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for expression in re.findall(r"\{\{(.*?)\}\}", line):
                for pattern in RAW_SOURCES:
                    if re.search(pattern, expression):
                        offending.append(f"{path.relative_to(TEMPLATES_DIR)}:{number}: {{{{{expression}}}}}")
    assert not offending, "print these through quantity(name):\n" + "\n".join(offending)


def test_the_printer_wraps_and_refuses_unknown_or_missing_names():
    quantity = quantity_printer({"radius-mean": "2.24"})
    assert str(quantity("radius-mean")) == '<span data-quantity="radius-mean">2.24</span>'
    with pytest.raises(KeyError, match="no shared quantity"):
        quantity("radius-means")
    with pytest.raises(KeyError, match="missing in this run"):
        quantity("centre-distance")
    assert shared_quantities({}) == {}
