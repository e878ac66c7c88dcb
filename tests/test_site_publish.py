"""The site can be published alone: every link resolves inside a copy of site/, notebooks show
no machine paths, the print rules that keep captions with their figures exist, and the PDF cites the original."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from conftest import TINY

from report import original
from report.render.environment import TEMPLATES_DIR, key_stat, share
from report.render.site import clean_notebook


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "a" and name == "src"):
                self.links.append(attrs[name])


def broken_links(site: Path) -> list[str]:
    """Every href/src of every page of `site` that does not resolve to a file inside it (web addresses aside)."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "data"):
                continue
            if parts.scheme or link.startswith("/"):
                broken.append(f"{page.name}: {link} (absolute)")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if not target.is_relative_to(site.resolve()) or not target.is_file():
                broken.append(f"{page.name}: {link}")
    return broken


def test_the_site_copied_alone_has_no_broken_link(tiny_build, tmp_path):
    root, _ = tiny_build
    alone = tmp_path / "published"
    shutil.copytree(root / "tiny" / "site", alone)
    assert not broken_links(alone)
    assert (alone / "manifest.json").is_file()
    assert sorted(p.name for p in (alone / "notebooks").glob("*.ipynb"))
    correlations = (alone / "notebooks" / "correlations.html").read_text()
    assert "<Figure size" not in correlations and correlations.count("data:image/png") > 2  # figures shown
    assert not re.search(r"<script[^>]*src=\"https?:", correlations)


def test_a_link_out_of_the_site_is_found(tmp_path):
    (tmp_path / "index.html").write_text('<a href="../manifest.json">m</a><img src="figures/x.png">')
    assert broken_links(tmp_path) == ["index.html: ../manifest.json", "index.html: figures/x.png"]


def test_every_post_links_its_neighbours(tiny_build):
    root, _ = tiny_build
    site = root / "tiny" / "site"
    assert 'href="post-4.html"' in (site / "post-3.html").read_text().split('class="post-nav"')[1]
    assert 'href="post-2.html"' in (site / "post-3.html").read_text().split('class="post-nav"')[1]
    index = (site / "index.html").read_text()
    assert original.AUTHOR in index and original.ADDRESS in index


def test_published_notebooks_show_no_machine_path_and_no_stderr(tmp_path):
    run_dir = tmp_path / "build" / "tiny"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f'run_dir = "{run_dir}"')])
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="I0000 cuda_dnn.cc: Unable to register cuDNN factory"),
        nbformat.v4.new_output("stream", name="stdout", text=f"saved {run_dir}/results/x.png"),
        nbformat.v4.new_output("execute_result", data={"text/plain": f"'{run_dir / '.staging'}'"}, execution_count=1),
    ]
    cleaned = clean_notebook(notebook, run_dir)
    text = nbformat.writes(cleaned)
    assert str(tmp_path) not in text
    assert "cuDNN" not in text
    assert [o.get("name") for o in cleaned.cells[0].outputs] == ["stdout", None]
    assert "saved results/x.png" in text


def test_small_shares_read_as_percentages():
    assert share(8.333e-05) == "0.00833 %"
    assert share(0.5) == "50 %"
    assert key_stat(8.333e-05, "origin_slices.origin.mahalanobis.share_farther") == "0.00833 %"
    assert key_stat(1456, "correlations.pairs_above.0.1") == "1,456"


def test_print_rules_keep_captions_with_figures_and_tables():
    css = (TEMPLATES_DIR / "style.css").read_text()
    print_rules = css[css.index("@media print"):]
    for rule in (r"figure, table[^{]*\{[^}]*break-inside: avoid", r"caption \{[^}]*caption-side: top",
                 r"figcaption \{[^}]*break-before: avoid", r"figure img \{[^}]*max-height"):
        assert re.search(rule, print_rules), rule
    assert re.search(r"@media screen \{\s*/\*[^*]*\*/\s*table[^{]*\{[^}]*overflow-x: auto", css)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_the_pdf_cites_the_original_on_its_title_page(tiny_build, tmp_path):
    root, _ = tiny_build
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(root / "tiny" / "site" / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert original.SERIES in flat and original.AUTHOR in flat and original.BLOG in flat
    assert "Abstract" in flat


def test_the_pdf_prints_figures_at_design_size_up_to_the_styled_height():
    from report.figures.style import PRINT_MAX_HEIGHT_MM

    css = (TEMPLATES_DIR / "style.css").read_text()
    rule = re.findall(r"body\.print figure img \{([^}]*)\}", css)[-1]  # the last rule wins
    assert "image-resolution: 150dpi" in rule
    assert f"max-height: {PRINT_MAX_HEIGHT_MM}mm" in rule


def _printed_boxes_wider_than_the_text(run_dir: Path, params_path: Path, staging: Path) -> list[tuple[int, str, float]]:
    """(page, tag, px too wide) for every table or image of the printed report that sticks out past the text width."""
    import json

    from weasyprint import HTML

    from report.params import load_params
    from report.render.context import build_context
    from report.render.environment import environment

    records = {p.parent.name: json.loads(p.read_text()) for p in (run_dir / "results").glob("*/step.json")}
    shutil.copy2(TEMPLATES_DIR / "style.css", staging / "style.css")
    context = build_context(run_dir, staging, load_params(params_path), records)
    html = environment().get_template("report.html").render(context, post=None, printing=True)

    def boxes(box):
        yield box
        for child in getattr(box, "children", None) or []:
            yield from boxes(child)

    wide = []
    for number, page in enumerate(HTML(string=html, base_url=str(staging)).render().pages, start=1):
        text_right = page._page_box.content_box_x() + page._page_box.width
        for box in boxes(page._page_box):
            if getattr(box, "element_tag", None) in ("table", "img") and hasattr(box, "margin_width"):
                excess = box.position_x + box.margin_width() - text_right
                if excess > 1:
                    wide.append((number, box.element_tag, round(excess, 1)))
    return wide


def test_no_printed_table_or_figure_is_wider_than_the_text(tiny_build, tmp_path):
    """WeasyPrint cuts off what sticks out of the page: a wide table loses its last columns."""
    run_dir = tiny_build[0] / "tiny"
    assert _printed_boxes_wider_than_the_text(run_dir, TINY, tmp_path) == []


def test_post_one_numbers_its_figures_and_tables_without_gaps_for_a_model_trained_elsewhere():
    from types import SimpleNamespace as NS

    from report.render.context import post_one_figures, post_one_tables

    trained = {"train": {"stats": NS(origin="trained")}, "formation": {}}
    loaded = {"train": {"stats": NS(origin="loaded")}}
    assert post_one_figures(trained) == {"faces": 1, "sample": 2, "loss": 3, "reconstructions": 4, "random": 5,
                                         "projection": 6, "formation": 7, "calibration": 8, "grading": 9}
    assert list(post_one_figures(loaded).values()) == list(range(1, 8))
    assert "loss" not in post_one_figures(loaded) and "formation" not in post_one_figures(loaded)
    assert post_one_tables(trained) == {"model": 1, "formation": 2, "calibration": 3}
    assert post_one_tables(loaded) == {"model": 1, "calibration": 2}
