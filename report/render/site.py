"""The site: every post as HTML, the executed notebooks as pages, the comparison page and the PDF.

Templates read only the steps' typed records and figures (see context). The site is rendered into
a staging folder and swapped into `site/` whole; it renders again only when a result, a template,
the parameters, another variant's key statistics or the code of the renderer changed.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from report.params import Params, to_jsonable
from report.pipeline import hashing
from report.pipeline.atomic import swap_into_place, write_text
from report.pipeline.steps import PROJECT_ROOT, STEPS
from report.render.comparison import key_stats_files, neighbour_setups
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
        # ... and so does another setup of one of them, which moves it in or out of the table.
        "neighbour_setups": neighbour_setups(run_dir),
        "parameters": to_jsonable(params),
        # The site publishes the executed notebooks: a step that ran again re-renders them.
        "notebooks": {name: hashing.file_sha256(run_dir / "notebooks" / f"{name}.ipynb") for name in records
                      if (run_dir / "notebooks" / f"{name}.ipynb").is_file()},
    })


# nbconvert's pages load MathJax, jQuery and require.js from a CDN; static outputs need none of them, and
# the site must work without a network.
OUTSIDE_SCRIPT = re.compile(r"<script[^>]*\ssrc=\"https?://[^\"]*\"[^>]*>\s*</script>")


def _machine_prefixes(run_dir: Path) -> list[tuple[str, str]]:
    """Absolute paths of this machine a notebook may show, longest first, and what they read as instead."""
    prefixes = {}
    for folder, shown in ((run_dir, "."), (PROJECT_ROOT, ".")):
        for form in {str(folder), str(folder.resolve())}:
            prefixes[form + "/"] = "" if shown == "." else shown + "/"
            prefixes[form] = shown
    return sorted(prefixes.items(), key=lambda item: -len(item[0]))


def _relative(text: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, shown in prefixes:
        text = text.replace(prefix, shown)
    return text


def _describe_images(output, source: str) -> None:
    """Give each image output an alternative text (screen readers; nbconvert warns without one): the
    figure comes from the cell whose first code line it names."""
    first = next((line.strip() for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    for kind in ("image/png", "image/jpeg", "image/svg+xml"):
        if kind in output["data"]:
            metadata = output.setdefault("metadata", {}).setdefault(kind, {})
            metadata.setdefault("alt", f"Figure drawn by the cell that begins: {first[:80]}")


def clean_notebook(notebook, run_dir: Path):
    """An executed notebook fit to publish: no stderr streams (TensorFlow's CUDA and oneDNN notices) and no
    absolute paths of this machine (the run folder and the project root read as relative paths)."""
    prefixes = _machine_prefixes(run_dir)
    for cell in notebook.cells:
        cell.source = _relative(cell.source, prefixes)
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                if output.get("name") == "stderr":
                    continue
                output["text"] = _relative(output.get("text", ""), prefixes)
            elif "data" in output:
                _describe_images(output, cell.source)
                for kind in ("text/plain", "text/html", "text/markdown"):
                    if kind in output["data"]:
                        value = output["data"][kind]
                        value = "".join(value) if isinstance(value, list) else value
                        output["data"][kind] = _relative(value, prefixes)
            elif output.get("output_type") == "error":
                output["traceback"] = [_relative(line, prefixes) for line in output.get("traceback", [])]
            kept.append(output)
        cell["outputs"] = kept
    for key in ("papermill",):
        if key in notebook.metadata:
            notebook.metadata[key] = json.loads(_relative(json.dumps(notebook.metadata[key]), prefixes))
    return notebook


def _export_notebooks(run_dir: Path, site: Path, names: list[str]) -> None:
    """Executed notebooks, cleaned, as standalone HTML pages (figures inline) and as .ipynb inside the site."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="classic")
    exporter.exclude_input_prompt = False
    target = site / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = run_dir / "notebooks" / f"{name}.ipynb"
        if source.is_file():
            notebook = clean_notebook(nbformat.read(source, as_version=4), run_dir)
            nbformat.write(notebook, target / f"{name}.ipynb")
            body, _ = exporter.from_notebook_node(notebook)
            (target / f"{name}.html").write_text(OUTSIDE_SCRIPT.sub("", body), encoding="utf-8")


def publish_manifest(run_dir: Path) -> None:
    """Copy the run's manifest into site/, which links its own copy so it can be published alone."""
    site = run_dir / "site"
    if site.is_dir() and (run_dir / "manifest.json").is_file():
        shutil.copy2(run_dir / "manifest.json", site / "manifest.json")


def render_site(run_dir: Path, params: Params, records: dict[str, dict], *, force: bool = False,
                echo: Callable[[str], None] = print) -> bool:
    """Render site/*.html and site/report.pdf when something they show changed; True if rendered."""
    site = run_dir / "site"
    fingerprint = _render_fingerprint(params, records, run_dir)
    record_path = site / RENDER_RECORD
    expected = [site / "index.html", site / "report.pdf"]
    if (not force and record_path.is_file() and all(p.is_file() for p in expected)
            and json.loads(record_path.read_text(encoding="utf-8")).get("fingerprint") == fingerprint):
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
    if (run_dir / "manifest.json").is_file():  # the site links its own copy, so it can be published alone
        shutil.copy2(run_dir / "manifest.json", staging / "manifest.json")
    for post in context["posts"]:
        page = env.get_template("post.html").render(context, post=post)
        (staging / post["file"]).write_text(page, encoding="utf-8")
    (staging / "index.html").write_text(env.get_template("index.html").render(context, post=None), encoding="utf-8")
    (staging / "comparison.html").write_text(env.get_template("comparison.html").render(context, post=None, page="comparison"),
                                             encoding="utf-8")
    (staging / "scoreboard.html").write_text(env.get_template("scoreboard.html").render(context, post=None, page="scoreboard"),
                                             encoding="utf-8")
    (staging / "filaments.html").write_text(env.get_template("filaments.html").render(context, post=None, page="filaments"),
                                            encoding="utf-8")
    printable = env.get_template("report.html").render(context, post=None, printing=True)
    write_pdf(printable, staging, staging / "report.pdf")
    write_text(staging / RENDER_RECORD, json.dumps({"fingerprint": fingerprint}))
    swap_into_place(staging, site)
    echo(f"  site                 rendered {len(context['posts'])} post(s) and report.pdf")
    return True
