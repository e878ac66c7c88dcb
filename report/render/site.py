"""The site: every post as HTML, the executed notebooks as pages, the comparison page and the PDF.

Templates read only the steps' typed records and figures (see context). The site is rendered into
a staging folder and swapped into `site/` whole; it renders again only when a result, a template,
the parameters, another variant's key statistics or the code of the renderer changed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

from report.params import Params, to_jsonable
from report.pipeline import hashing
from report.pipeline.steps import STEPS
from report.pipeline.atomic import swap_into_place, write_text
from report.render.comparison import key_stats_files
from report.render.context import build_context
from report.render.environment import TEMPLATES_DIR, environment
from report.render.pdf import write_pdf

RENDER_RECORD = ".render.json"
# The renderer's code, and through its imports every results schema and findings module it reads.
RENDERER_IMPORTS = "import report.render\nimport report.keystats\n" + "\n".join(
    f"import {step.results_module}" for step in STEPS)


def _render_fingerprint(params: Params, records: dict[str, dict], run_dir: Path) -> str:
    templates = {
        str(path.relative_to(TEMPLATES_DIR)): hashing.sha256_text(path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES_DIR.rglob("*")) if path.is_file()
    }
    return hashing.combined({
        "templates": templates,
        "modules": hashing.modules_hash(hashing.report_modules(RENDERER_IMPORTS)),
        "results": {name: record["output_digest"] for name, record in records.items()},
        # The comparison page shows the other variants: rebuilding one of them re-renders this site.
        "key_stats": {name: hashing.file_sha256(path) for name, path in key_stats_files(run_dir).items()},
        "parameters": to_jsonable(params),
    })


def _export_notebooks(run_dir: Path, site: Path, names: list[str]) -> None:
    """Executed notebooks as standalone HTML pages that each post links to."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="classic")
    exporter.exclude_input_prompt = False
    target = site / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = run_dir / "notebooks" / f"{name}.ipynb"
        if source.is_file():
            body, _ = exporter.from_notebook_node(nbformat.read(source, as_version=4))
            (target / f"{name}.html").write_text(body, encoding="utf-8")


def render_site(run_dir: Path, params: Params, records: dict[str, dict], *, force: bool = False,
                echo: Callable[[str], None] = print) -> bool:
    """Render site/*.html and site/report.pdf when something they show changed; True if rendered."""
    site = run_dir / "site"
    fingerprint = _render_fingerprint(params, records, run_dir)
    record_path = site / RENDER_RECORD
    expected = [site / "index.html", site / "report.pdf"]
    if not force and record_path.is_file() and all(p.is_file() for p in expected):
        if json.loads(record_path.read_text(encoding="utf-8")).get("fingerprint") == fingerprint:
            echo("  site                 up to date")
            return False
    staging = run_dir / ".staging" / "site"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    context = build_context(run_dir, staging, params, records)
    _export_notebooks(run_dir, staging, list(records))
    env = environment()
    shutil.copy2(TEMPLATES_DIR / "style.css", staging / "style.css")
    for post in context["posts"]:
        page = env.get_template("post.html").render(context, post=post)
        (staging / post["file"]).write_text(page, encoding="utf-8")
    (staging / "index.html").write_text(env.get_template("index.html").render(context, post=None), encoding="utf-8")
    (staging / "comparison.html").write_text(env.get_template("comparison.html").render(context, post=None, page="comparison"),
                                             encoding="utf-8")
    (staging / "scoreboard.html").write_text(env.get_template("scoreboard.html").render(context, post=None, page="scoreboard"),
                                             encoding="utf-8")
    printable = env.get_template("report.html").render(context, post=None)
    write_pdf(printable, staging, staging / "report.pdf")
    write_text(staging / RENDER_RECORD, json.dumps({"fingerprint": fingerprint}))
    swap_into_place(staging, site)
    echo(f"  site                 rendered {len(context['posts'])} post(s) and report.pdf")
    return True
