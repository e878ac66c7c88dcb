"""Rendering: the one door to Jinja, nbconvert's HTML exporter and WeasyPrint.

Templates read only `results/<step>/stats.json` and the figures beside it. The site is rendered
into a staging folder and swapped into `site/` whole; it renders again only when a result, a
template or this module changed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Callable

from report import keystats
from report.errors import ReportError
from report.params import Params, to_jsonable
from report.pipeline import hashing
from report.pipeline.steps import PROJECT_ROOT, STEPS

TEMPLATES_DIR = PROJECT_ROOT / "templates"
FIGURE_SUFFIXES = (".png", ".svg", ".jpg")
RENDER_RECORD = ".render.json"

POSTS = (
    (1, "Encoder, decoder and latent space"),
    (2, "Number distributions of the latent components"),
    (3, "Correlations between components"),
    (4, "The surroundings of the origin"),
    (5, "Decoding simple statistical z-points"),
    (6, "Decoding along straight paths through the centre"),
    (7, "Component values from per-component intervals"),
)


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


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def roman(number: int) -> str:
    return ROMAN.get(int(number), str(number))


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=num, thousands=thousands, percent=percent, roman=roman, stat=stat)
    return env


def _key_stats_files(run_dir: Path) -> dict[str, Path]:
    """results/key_stats.json of this run and of every other variant under the same build root."""
    found = {}
    for path in sorted(run_dir.parent.glob(f"*/results/{keystats.KEY_STATS_FILE}")):
        found[path.parent.parent.name] = path
    return found


def _render_fingerprint(params: Params, records: dict[str, dict], run_dir: Path) -> str:
    templates = {
        str(path.relative_to(TEMPLATES_DIR)): hashing.sha256_text(path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES_DIR.rglob("*")) if path.is_file()
    }
    return hashing.combined({
        "templates": templates,
        "modules": hashing.modules_hash(("report.render", "report.keystats")),
        "results": {name: record["output_digest"] for name, record in records.items()},
        # The comparison page shows the other variants: rebuilding one of them re-renders this site.
        "key_stats": {name: hashing.file_sha256(path) for name, path in _key_stats_files(run_dir).items()},
        "parameters": to_jsonable(params),
    })


def _step_context(run_dir: Path, site: Path, name: str, record: dict) -> dict:
    folder = run_dir / "results" / name
    stats = json.loads((folder / "stats.json").read_text(encoding="utf-8"))
    figures = {}
    target = site / "figures" / name
    for path in sorted(folder.iterdir()):
        if path.suffix in FIGURE_SUFFIXES:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / path.name)
            figures[path.stem] = f"figures/{name}/{path.name}"
    return {
        "stats": stats,
        "figures": figures,
        "notebook": f"notebooks/{name}.html",
        "notebook_ipynb": f"../notebooks/{name}.ipynb",
        "hash": record["hash"][:12],
        "wall_seconds": record["wall_seconds"],
    }


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


def comparison_context(run_dir: Path) -> dict:
    """The comparison page: this run's key statistics beside those of the other variants built beside it.

    Returns:
        {"columns": [{"variant", "link" (their comparison page or None), "current"}, ...] with this
        variant first, "others": the other variants' names, "rows": [{"key", "label", "tolerance",
        "cells": [{"value", "beyond"}, ...]}] where "beyond" marks a value outside the key's
        tolerance around this variant's value}.
    """
    files = _key_stats_files(run_dir)
    stats = {}
    for name, path in files.items():
        try:
            stats[name] = keystats.load(path)
        except ReportError as err:  # a broken neighbour must not stop this variant's site
            logging.getLogger(__name__).warning("comparison page leaves out %s", err)
    own = stats.pop(run_dir.name, {})
    names = [run_dir.name, *sorted(stats)]
    stats[run_dir.name] = own
    columns = [
        {"variant": name, "current": name == run_dir.name,
         "link": f"../../{name}/site/comparison.html"
         if name != run_dir.name and (run_dir.parent / name / "site" / "index.html").is_file() else None}
        for name in names
    ]
    rows = []
    for key in keystats.order(set().union(*(stats[name] for name in names))):
        definition = keystats.definition(key)
        mine = own.get(key)
        cells = [
            {"value": stats[name].get(key),
             "beyond": name != run_dir.name and mine is not None and stats[name].get(key) is not None
             and not definition.within(mine, stats[name][key])}
            for name in names
        ]
        rows.append({"key": key, "label": keystats.label(key),
                     "tolerance": definition.tolerance_text.replace(" ", "\u00a0"),  # never wrapped
                     "cells": cells})
    return {"columns": columns, "others": names[1:], "rows": rows}


def build_context(run_dir: Path, site: Path, params: Params, records: dict[str, dict]) -> dict:
    """Everything the templates see: parameters, per-step stats and figure links, the post list."""
    steps = {name: _step_context(run_dir, site, name, record) for name, record in records.items()}
    posts = [
        {"number": n, "title": title, "file": f"post-{n}.html"}
        for n, title in POSTS if (TEMPLATES_DIR / "bodies" / f"post-{n}.html").exists()
    ]
    post_steps = {n: [s.name for s in STEPS if n in s.posts and s.name in steps] for n, _ in POSTS}
    return {
        "params": to_jsonable(params),
        "variant": params.variant,
        "has_decoder": params.data.source != "zpoints",
        "steps": steps,
        "posts": posts,
        "post_steps": post_steps,
        "manifest_link": "../manifest.json",
        "comparison": comparison_context(run_dir),
    }


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
    env = _environment()
    (staging / "style.css").write_text((TEMPLATES_DIR / "style.css").read_text(encoding="utf-8"), encoding="utf-8")
    for post in context["posts"]:
        page = env.get_template("post.html").render(context, post=post)
        (staging / post["file"]).write_text(page, encoding="utf-8")
    (staging / "index.html").write_text(env.get_template("index.html").render(context, post=None), encoding="utf-8")
    (staging / "comparison.html").write_text(env.get_template("comparison.html").render(context, post=None, page="comparison"),
                                             encoding="utf-8")
    printable = env.get_template("report.html").render(context, post=None)
    _write_pdf(printable, staging, staging / "report.pdf")
    (staging / RENDER_RECORD).write_text(json.dumps({"fingerprint": fingerprint}), encoding="utf-8")
    retired = run_dir / ".site.retired"
    if retired.exists():
        shutil.rmtree(retired)
    if site.exists():
        os.replace(site, retired)
    os.replace(staging, site)
    shutil.rmtree(retired, ignore_errors=True)
    echo(f"  site                 rendered {len(context['posts'])} post(s) and report.pdf")
    return True


def _write_pdf(html: str, base: Path, target: Path) -> None:
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from weasyprint import HTML
    except OSError as err:  # Pango missing
        raise ReportError(f"WeasyPrint cannot load its system libraries ({err}); install Pango >= 1.44") from None
    (base / "report.html").write_text(html, encoding="utf-8")
    HTML(string=html, base_url=str(base)).write_pdf(target)
    (base / "report.html").unlink()
