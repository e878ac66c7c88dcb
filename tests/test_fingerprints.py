"""A step's fingerprint covers every `report` module its notebook imports, derived, never listed by hand."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, TINY

from report.params import load_params
from report.pipeline import hashing
from report.pipeline.execute import read_notebook
from report.pipeline.run import fingerprint
from report.pipeline.steps import STEPS, STEPS_BY_NAME

QUIET = dict(progress=False, echo=lambda line: None)


def _derived(step) -> set[str]:
    code = hashing.notebook_code(read_notebook(step.notebook))
    return {str(path.relative_to(PROJECT_ROOT)) for path in hashing.report_modules(code)}


def test_imports_are_followed_through_packages_relative_imports_and_function_bodies():
    code = "from report import stats\nfrom report.data import sources\n"
    found = {str(path.relative_to(PROJECT_ROOT)) for path in hashing.report_modules(code)}
    assert {"report/__init__.py", "report/stats/__init__.py", "report/data/__init__.py",
            "report/data/sources.py"} <= found
    # report.stats imports its submodules: a change to any of them changes what the notebook computes
    assert any(name.startswith("report/stats/") and not name.endswith("__init__.py") for name in found)
    assert all(name.startswith("report/") for name in found)


def test_a_derived_list_holds_every_report_module_the_notebook_loads():
    """Import each notebook's import lines in a fresh interpreter; every report module loaded is hashed."""
    script = textwrap.dedent("""
        import ast, json, sys
        from report.pipeline.execute import read_notebook
        from report.pipeline import hashing
        from report.pipeline.steps import STEPS
        loaded = {}
        for step in STEPS:
            for name in [m for m in sys.modules if m == "report" or m.startswith("report.")]:
                del sys.modules[name]
            code = hashing.notebook_code(read_notebook(step.notebook))
            tree = ast.parse(code)
            exec("\\n".join(ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))), {})
            loaded[step.name] = sorted(m.__file__ for n, m in sys.modules.items()
                                       if (n == "report" or n.startswith("report.")) and getattr(m, "__file__", None))
        print(json.dumps(loaded))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    for step in STEPS:
        actual = {str(Path(f).relative_to(PROJECT_ROOT)) for f in loaded[step.name]}
        assert actual, step.name
        assert actual <= _derived(step), f"{step.name}: not hashed: {sorted(actual - _derived(step))}"


def test_encode_depends_on_the_statistics_it_uses():
    """encode uses report.stats; a hand-kept list of modules would leave it out."""
    assert any(name.startswith("report/stats/") for name in _derived(STEPS_BY_NAME["encode"]))


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_editing_any_module_a_notebook_imports_reruns_the_step_and_names_it(step, tmp_path, monkeypatch):
    """Each module of the step's derived list is edited in a copy of the package, one at a time."""
    params = load_params(TINY)
    copy = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "report", copy / "report", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(hashing, "PROJECT_ROOT", copy)
    monkeypatch.setattr(hashing, "PACKAGE_ROOT", copy / "report")
    cache = hashing.DigestCache(tmp_path / "digests.json")
    versions = hashing.package_versions()
    before = fingerprint(step, params, tmp_path, {}, cache, versions)
    modules = sorted(before["modules"])
    assert modules and "report/notebook.py" in modules
    for module in modules:
        path = copy / module
        original = path.read_text(encoding="utf-8")
        path.write_text(original + "\n# edited\n", encoding="utf-8")
        after = fingerprint(step, params, tmp_path, {}, cache, versions)
        path.write_text(original, encoding="utf-8")
        reasons = hashing.reasons_to_run(before, after)
        assert f"code changed: {module}" in reasons, (module, reasons)


def test_editing_a_statistics_module_reruns_the_steps_that_use_it(tiny_copy, tmp_path, monkeypatch, no_render):
    """A real build: after an edit of report/stats/planes.py exactly the steps that import it rerun,
    and the build says why; the others stay, their results unchanged."""
    from report.build import build_variant

    copy = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "report", copy / "report", ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy / "report" / "stats" / "planes.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(hashing, "PROJECT_ROOT", copy)
    monkeypatch.setattr(hashing, "PACKAGE_ROOT", copy / "report")
    users = {name for name in STEPS_BY_NAME
             if "report/stats/planes.py" in json.loads((tiny_copy / "tiny" / "results" / name / "step.json")
                                                        .read_text())["fingerprint"]["modules"]}
    assert "paths" in users and "data" not in users and "train" not in users
    lines: list[str] = []
    outcome = build_variant(TINY, build_root=tiny_copy, progress=False, echo=lines.append)
    assert set(outcome.executed) == users
    paths = next(line for line in lines if line.strip().startswith("paths"))
    assert "code changed: report/stats/planes.py" in paths


def test_the_shared_mahalanobis_rule_reaches_the_steps_that_declare_it_and_reruns_only_them():
    params = load_params(TINY)
    raw = params.model_dump(mode="json")
    raw["analysis"]["mahalanobis"]["relative_floor"] = 1e-3
    from report.params import parse_params
    changed = parse_params(raw)
    declaring = {step.name for step in STEPS if "analysis.mahalanobis" in step.shared}
    assert {"origin_slices", "statistical_points", "paths", "intervals", "normal_fit", "formation"} <= declaring
    for step in STEPS:
        moved = step.shared_section(params) != step.shared_section(changed)
        assert moved == (step.name in declaring), step.name
    request = run_request(STEPS_BY_NAME["paths"], changed)
    assert request["shared"]["analysis.mahalanobis"]["relative_floor"] == 1e-3
    assert "analysis.mahalanobis" not in request["section"]  # the step's own settings stay one section


def run_request(step, params):
    from report.pipeline.run import step_request
    return step_request(step, params, Path("build/tiny"), step.seed(params))


def test_a_results_file_is_digested_by_what_it_holds_not_by_when_it_was_written(tmp_path):
    """Saving the same model or statistics twice gives one content digest; changing a weight or a number does not."""
    import keras
    import numpy as np

    def built(weights=None):
        model = keras.Sequential([keras.Input((3,), name="x"), keras.layers.Dense(2, name="dense")], name="model")
        if weights is not None:
            model.set_weights(weights)
        return model

    model = built()
    first, second = tmp_path / "first.keras", tmp_path / "second.keras"
    model.save(first)
    time.sleep(1.1)  # the archive records its save date to the second
    built(model.get_weights()).save(second)  # new objects, the same weights, a later save date
    assert hashing.file_sha256(first) != hashing.file_sha256(second)
    assert hashing.content_sha256(first) == hashing.content_sha256(second)
    model.layers[0].kernel.assign(model.layers[0].kernel + 1.0)
    model.save(changed := tmp_path / "changed.keras")
    assert hashing.content_sha256(changed) != hashing.content_sha256(first)

    stats = {"loss": [0.5, 0.4], "epoch_seconds": [1.9, 0.1], "parts": {"seconds": {"fit": 3.0}, "n": 4}}
    (a := tmp_path / "a.json").write_text(json.dumps(stats))
    (b := tmp_path / "b.json").write_text(json.dumps({**stats, "epoch_seconds": [2.2, 0.3],
                                                      "parts": {"seconds": {"fit": 9.0}, "n": 4}}, indent=2))
    (c := tmp_path / "c.json").write_text(json.dumps({**stats, "loss": [0.5, 0.41]}))
    assert hashing.content_sha256(a) == hashing.content_sha256(b) != hashing.content_sha256(c)

    np.savez(d := tmp_path / "d.npz", x=np.arange(3))
    (broken := tmp_path / "broken.keras").write_bytes(b"not an archive")
    assert hashing.content_sha256(broken) == hashing.file_sha256(broken)
    assert hashing.content_sha256(d) != hashing.content_sha256(broken)
