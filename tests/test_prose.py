"""The report's prose as a reader meets it: numbers to a few significant digits and never in e-notation,
small samples counted rather than put as percentages, no "0 of" sentences, no paragraph printed twice, and
posts of a readable length. Checked on the rendered pages of the tiny build, and on the filters themselves."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from report.params import parse_params
from report.render.environment import environment, key_stat, num, out_of, percent, plus_minus, portion, sig, stat

MAX_POST_WORDS = 1800  # paragraph words a post may have: longer posts repeat themselves
REPEAT_MIN_CHARS = 80  # paragraphs at least this long may appear on one page only
SCIENTIFIC = re.compile(r"\d[eE][-+]?\d")
ZERO_OF = re.compile(r"(?<!= )(?<![\d.,])0 of\b|\bat most 0(?![.,]?\d)")  # "z = 0 of the latent space" is the origin
LOWER_START = re.compile(r"(?:^|[.!?] )(none|all) of\b")  # a counted phrase opening a sentence in lower case


class _Prose(HTMLParser):
    """The text of every <p>, <figcaption> and <caption> of a page, whitespace collapsed."""

    TAGS = ("p", "figcaption", "caption")

    def __init__(self):
        super().__init__()
        self.open: list[list[str]] = []
        self.blocks: list[tuple[str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.open.append([])
            self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in self.TAGS and self.open:
            self.blocks.append((self.tags.pop(), " ".join("".join(self.open.pop()).split())))

    def handle_data(self, data):
        if self.open:
            self.open[-1].append(data)


def prose(page: Path) -> list[tuple[str, str]]:
    """(tag, text) of every paragraph and caption of a page."""
    parser = _Prose()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.blocks


@pytest.fixture(scope="module")
def pages(tiny_build) -> dict[str, list[tuple[str, str]]]:
    root, _ = tiny_build
    site = root / "tiny" / "site"
    return {page.name: prose(page) for page in sorted(site.glob("*.html"))}


def test_the_tiny_site_has_posts_to_read(pages):
    assert sum(name.startswith("post-") for name in pages) == 10
    assert all(pages[name] for name in pages if name.startswith("post-"))


def test_no_scientific_notation_in_prose_or_captions(pages):
    found = [(name, text) for name, blocks in pages.items() for _, text in blocks if SCIENTIFIC.search(text)]
    assert not found, found[:3]


def test_no_zero_of_or_at_most_zero(pages):
    found = [(name, m.group(0), text) for name, blocks in pages.items() for _, text in blocks
             for m in [ZERO_OF.search(text)] if m]
    assert not found, found[:3]


def test_no_sentence_opens_in_lower_case_with_a_count(pages):
    found = [(name, m.group(0), text[:120]) for name, blocks in pages.items() for _, text in blocks
             for m in [LOWER_START.search(text)] if m]
    assert not found, found[:3]


def test_no_paragraph_appears_on_two_pages(pages):
    where = defaultdict(set)
    for name, blocks in pages.items():
        if name == "report.html":
            continue
        for tag, text in blocks:
            if tag == "p" and len(text) >= REPEAT_MIN_CHARS:
                where[text].add(name)
    repeated = {text[:100]: sorted(names) for text, names in where.items() if len(names) > 1}
    assert not repeated, repeated


def test_no_post_is_longer_than_the_limit(pages):
    words = {name: sum(len(text.split()) for tag, text in blocks if tag == "p")
             for name, blocks in pages.items() if name.startswith("post-")}
    assert all(count <= MAX_POST_WORDS for count in words.values()), words


def test_the_regularisation_note_is_explained_once_and_linked_from_later_posts(pages, tiny_build):
    explaining = [name for name, blocks in pages.items() if any("count as numerically zero" in t for _, t in blocks)]
    linking = [name for name, blocks in pages.items() if any("are regularised as" in t for _, t in blocks)]
    assert len(explaining) == 1 and linking and explaining[0] not in linking
    site = tiny_build[0] / "tiny" / "site"
    assert 'id="regularisation"' in (site / explaining[0]).read_text(encoding="utf-8")
    for name in linking:
        assert f'href="{explaining[0]}#regularisation"' in (site / name).read_text(encoding="utf-8"), name


# --- the filters --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, text", [
    (17.63, "17.6"), (0.0933, "0.0933"), (9.332e-05, "9.33 × 10⁻⁵"), (12345.6, "12,300"), (113813.4, "114,000"), (27.345, "27.3"),
    (7.0, "7"), (9.996, "10"), (0.5, "0.5"), (-2.345, "-2.35"), (0, "0"), (None, "–"), (1456, "1,456"),
])
def test_sig_keeps_three_significant_digits_without_e_notation(value, text):
    assert sig(value) == text
    assert not SCIENTIFIC.search(sig(value))


def test_stat_and_num_never_print_e_notation_or_a_false_zero():
    assert stat(9.332e-05) == "9.33 × 10⁻⁵" and stat(0.123456) == "0.123"
    assert num(0.00009, 2) == "9 × 10⁻⁵" and num(0.004, 2) == "0.004" and num(1.234, 1) == "1.2"
    assert num(237.44, 1) == "237" and num(15.413, 2) == "15.4" and num(0.7, 2) == "0.70" and num(9.996, 2) == "10.0"
    assert num(0.58304, 4) == "0.583" and num(-0.7612, 2) == "-0.76" and num(0, 2) == "0.00"


@pytest.mark.parametrize("value, digits, text", [
    (0.0712, None, "7.12 %"), (0.27345, None, "27.3 %"), (0.5, None, "50 %"), (8.333e-05, None, "0.00833 %"),
    (0.0001, 1, "0.01 %"), (0.123, 0, "12 %"), (0.99996, None, "99.996 %"), (3e-7, None, "less than 0.001 %"),
])
def test_percent_keeps_significant_digits(value, digits, text):
    assert percent(value, digits) == text


@pytest.mark.parametrize("count, total, noun, text", [
    (7, 21, "", "7 of 21"), (0, 10, "red vectors", "none of the 10 red vectors"), (0, 21, "", "none of 21"),
    (21, 21, "decodes", "all 21 decodes"), (3, 49, "decodes", "3 of the 49 decodes"),
    (30, 500, "decodes", "6 % of the 500 decodes"), (25, 50, "", "50 %"),
])
def test_portion_counts_small_samples_and_puts_large_ones_as_percentages(count, total, noun, text):
    assert portion(count, total, 50, noun) == text


def test_share_of_reads_the_runs_threshold_from_the_parameters():
    env = environment()
    template = env.from_string("{{ x | share_of(n) }} / {{ k | count_of(n, 'decodes') }}")
    low = {"params": parse_params({"variant": "v", "analysis": {"uncertainty": {"min_count_for_percent": 10}}})}
    assert template.render(x=1 / 3, n=21, k=0) == "7 of 21 / none of the 21 decodes"
    assert template.render(low, x=1 / 3, n=21, k=0) == "33.3 % / 0 % of the 21 decodes"


def test_out_of_counts_exactly_whatever_the_total():
    assert out_of(0, 256, "components") == "none of the 256 components"
    assert out_of(3, 32640, "pairs") == "3 of the 32,640 pairs" and out_of(8, 8, "axes shown") == "all 8 axes shown"


def test_key_stat_tables_keep_tiny_shares():
    assert key_stat(3e-7, "origin_slices.origin.share_farther") == "3 × 10⁻⁵ %"
    assert key_stat(0.0712, "origin_slices.origin.mahalanobis.share_farther") == "7.12 %"
    assert key_stat(113813.4, "train.final_loss") == "114,000"


def test_plus_minus_rounds_the_mean_to_the_spreads_precision():
    assert plus_minus(15.413, 4.291) == "15.4 ± 4.3" and plus_minus(15.98, 0.712) == "15.98 ± 0.71"
    assert plus_minus(237.44, 31.2) == "237 ± 31" and plus_minus(3.0, 0) == "3 ± 0"
