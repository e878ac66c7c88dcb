"""The pipeline end to end on `tiny`: outputs, the cache, why steps rerun, atomic failure."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, TINY, run_cli, tiny_raw, write_params

from report.build import build_variant
from report.errors import StepError
from report.pipeline import steps as steps_module

QUIET = dict(progress=False, echo=lambda line: None)


def _digests(run_dir: Path, step: str) -> str:
    return json.loads((run_dir / "results" / step / "step.json").read_text())["output_digest"]


def test_tiny_build_writes_the_interface_layout(tiny_build):
    root, outcome = tiny_build
    run = root / "tiny"
    assert set(outcome.executed) == {s.name for s in steps_module.STEPS}
    for name in ["index.html", "post-1.html", "report.pdf"]:
        assert (run / "site" / name).is_file(), name
    assert (run / "site" / "report.pdf").read_bytes().startswith(b"%PDF")
    for step in steps_module.STEPS:
        assert (run / "results" / step.name / "stats.json").is_file()
        assert (run / "notebooks" / f"{step.name}.ipynb").is_file()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["seed"] == 7
    assert set(manifest["step_seeds"]) == {s.name for s in steps_module.STEPS}
    assert manifest["packages"]["keras"].startswith("3.")
    assert manifest["device"]["device"] in ("CPU", "GPU")
    assert all(step["cells"] for step in manifest["steps"].values())


def test_every_image_link_of_the_site_resolves(tiny_build):
    root, _ = tiny_build
    site = root / "tiny" / "site"
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= 2
    for page in pages:
        for link in re.findall(r'(?:src|href)="([^"#:]+)"', page.read_text()):
            assert (site / link).exists(), f"{page.name} links to missing {link}"


def test_nothing_changed_runs_nothing(tiny_copy):
    outcome = build_variant(TINY, build_root=tiny_copy, **QUIET)
    assert outcome.executed == [], outcome.reasons
    assert set(outcome.status.values()) == {"up to date"}
    assert outcome.rendered is False


def test_one_parameter_changed_reruns_that_step_and_its_dependents(tiny_copy, tmp_path, no_render):
    raw = tiny_raw()
    raw["analysis"]["correlations"]["pair_threshold"] = 0.45
    lines = []
    outcome = build_variant(write_params(tmp_path, raw), build_root=tiny_copy, progress=False, echo=lines.append)
    assert "correlations" in outcome.executed
    assert set(outcome.executed) <= {"correlations", "origin_slices", "statistical_points", "paths", "intervals",
                                     "scoreboard"}
    for untouched in ("data", "train", "encode", "distributions"):
        assert outcome.status[untouched] == "up to date"
    assert any("analysis.correlations.pair_threshold 0.3 → 0.45" in line for line in lines)
    assert outcome.reasons.get("paths", ["upstream correlations changed"]) == ["upstream correlations changed"]


def test_a_failing_notebook_leaves_the_good_build_intact(tiny_copy, tmp_path, monkeypatch):
    analysis = tmp_path / "analysis"
    shutil.copytree(PROJECT_ROOT / "analysis", analysis)
    with open(analysis / "correlations.py", "a") as notebook:
        notebook.write('\n# %%\nraise ValueError("planted failure")\n')
    monkeypatch.setattr(steps_module, "ANALYSIS_DIR", analysis)
    run = tiny_copy / "tiny"
    before = _digests(run, "correlations")
    pdf_before = (run / "site" / "report.pdf").read_bytes()
    with pytest.raises(StepError) as err:
        build_variant(TINY, build_root=tiny_copy, **QUIET)
    message = str(err.value)
    assert message.startswith("correlations failed in cell ")
    assert "ValueError: planted failure" in message
    assert "\n" not in message
    assert (run / "notebooks" / "correlations.failed.ipynb").is_file()
    assert _digests(run, "correlations") == before
    assert (run / "site" / "report.pdf").read_bytes() == pdf_before
    assert not (run / ".staging" / "correlations").exists()


def test_results_that_do_not_match_the_schema_are_not_swapped_into_place(tiny_copy, tmp_path, monkeypatch):
    analysis = tmp_path / "analysis"
    shutil.copytree(PROJECT_ROOT / "analysis", analysis)
    with open(analysis / "correlations.py", "a") as notebook:  # bypasses step.save, which would refuse it
        notebook.write('\n# %%\nimport json\nrecord = json.loads((step.output / "stats.json").read_text())\n'
                       'record["n_points"] = "many"\n(step.output / "stats.json").write_text(json.dumps(record))\n')
    monkeypatch.setattr(steps_module, "ANALYSIS_DIR", analysis)
    run = tiny_copy / "tiny"
    before = _digests(run, "correlations")
    with pytest.raises(StepError, match=r"correlations wrote results that do not match its schema \(.*n_points"):
        build_variant(TINY, build_root=tiny_copy, **QUIET)
    assert _digests(run, "correlations") == before
    assert not (run / ".staging" / "correlations").exists()


BY_HAND = ("data", "correlations")  # executed in a kernel: the first step, and one that reads upstream results


def test_a_notebook_opened_by_hand_runs_against_an_existing_build(tiny_copy):
    """Default parameters, as Jupyter would run it: the last build's request, a scratch output folder.

    Every notebook opens the same way (its parameters cell, then `open_step(<its name>, run_dir, request)`),
    and every step's recorded request replays into typed settings; two of them run in a kernel.
    """
    import papermill

    from report.notebook import _recorded_request, settings_from
    from report.pipeline.execute import read_notebook

    run = tiny_copy / "tiny"
    before = {step.name: _digests(run, step.name) for step in steps_module.STEPS}
    for step in steps_module.STEPS:
        source = step.notebook.read_text()
        assert 'run_dir: str = "build/tiny"' in source and "request: dict = {}" in source, step.name
        assert f'open_step("{step.name}", run_dir, request)' in source, step.name
        request = _recorded_request(run, step.name)
        assert request["output_dir"] == str(run / ".scratch" / step.name)
        settings_from(request["section"])
    for name in BY_HAND:
        papermill.execute_notebook(read_notebook(steps_module.STEPS_BY_NAME[name].notebook), None,
                                   kernel_name="python3", language="python", progress_bar=False,
                                   cwd=str(tiny_copy.parent))
        assert (run / ".scratch" / name / "stats.json").is_file(), name
    assert {step.name: _digests(run, step.name) for step in steps_module.STEPS} == before
    assert build_variant(TINY, build_root=tiny_copy, **QUIET).executed == []


def test_undeclared_notebook_parameter_is_an_error(tiny_copy, tmp_path, monkeypatch):
    analysis = tmp_path / "analysis"
    shutil.copytree(PROJECT_ROOT / "analysis", analysis)
    source = (analysis / "intervals.py").read_text()
    (analysis / "intervals.py").write_text(source.replace("request: dict = {}", "extra_knob: int = 3\nrequest: dict = {}", 1))
    monkeypatch.setattr(steps_module, "ANALYSIS_DIR", analysis)
    with pytest.raises(StepError, match="extra_knob"):
        build_variant(TINY, build_root=tiny_copy, **QUIET)


def test_cli_prints_one_line_without_traceback_for_bad_parameters(tmp_path):
    raw = tiny_raw()
    raw["train"]["epochs"] = "many"
    path = write_params(tmp_path, raw)
    result = subprocess.run([sys.executable, "-m", "report.cli", "build", str(path), "--build-root", str(tmp_path / "b")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "train.epochs" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("case", ["celeba-missing", "folder-empty", "zpoints-nan", "zpoints-1d"])
def test_cli_names_bad_data_in_one_line_and_keeps_the_earlier_build(case, tiny_copy, tmp_path):
    import numpy as np

    data = {"celeba-missing": {"source": "celeba", "path": str(tmp_path / "no-celeba")},
            "folder-empty": {"source": "folder", "path": str(tmp_path / "empty")}}.get(case)
    (tmp_path / "empty").mkdir()
    if case.startswith("zpoints"):
        z = np.ones((20, 4)) if case == "zpoints-nan" else np.ones(20)
        if case == "zpoints-nan":
            z[3, 2] = np.nan
        np.save(tmp_path / "z.npy", z)
        data = {"source": "zpoints", "path": str(tmp_path / "z.npy")}
    raw = tiny_raw()
    raw["data"] = data
    path = write_params(tmp_path, raw)
    before = (tiny_copy / "tiny" / "site" / "report.pdf").read_bytes()
    result = run_cli("build", str(path), "--build-root", str(tiny_copy), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert data["path"] in result.stderr
    if case == "celeba-missing":
        assert "CelebA" in result.stderr
    assert (tiny_copy / "tiny" / "site" / "report.pdf").read_bytes() == before


def test_only_limits_the_build_to_a_step_and_what_it_needs(tiny_copy, tmp_path):
    raw = tiny_raw()
    raw["analysis"]["intervals"]["n_individuals"] = 3
    outcome = build_variant(write_params(tmp_path, raw), build_root=tiny_copy, only="correlations", **QUIET)
    assert outcome.executed == []
    assert outcome.status["intervals"] == "skipped (--only)"
    assert {outcome.status[name] for name in ("data", "train", "encode", "distributions", "correlations")} == {
        "up to date"}


def test_only_on_a_fresh_folder_runs_that_step_and_renders_nothing(tmp_path):
    lines: list[str] = []
    outcome = build_variant(TINY, build_root=tmp_path / "build", only="data", progress=False, echo=lines.append)
    assert outcome.executed == ["data"] and outcome.rendered is False
    assert not (tmp_path / "build" / "tiny" / "site").exists()
    assert any("not rendered: no results yet for train" in line for line in lines)


@pytest.mark.parametrize(
    ("planted", "timeout", "fragment"),
    [
        ("import time\ntime.sleep(60)", 10, "ran past the step's time limit of 10 s"),
        ("import os\nos._exit(1)", 600, "the kernel died"),
    ],
    ids=["cell-timeout", "dead-kernel"],
)
def test_timeouts_and_dead_kernels_fail_in_one_line(planted, timeout, fragment, tiny_copy, tmp_path, monkeypatch):
    analysis = tmp_path / "analysis"
    shutil.copytree(PROJECT_ROOT / "analysis", analysis)
    source = (analysis / "intervals.py").read_text()
    (analysis / "intervals.py").write_text(source.replace("# %%\nfrom report.notebook", f"# %%\n{planted}\n\n# %%\nfrom report.notebook", 1))
    monkeypatch.setattr(steps_module, "ANALYSIS_DIR", analysis)
    raw = tiny_raw()
    raw["analysis"]["intervals"]["timeout_s"] = timeout
    run = tiny_copy / "tiny"
    before = _digests(run, "intervals")
    with pytest.raises(StepError) as err:
        build_variant(write_params(tmp_path, raw), build_root=tiny_copy, **QUIET)
    message = str(err.value)
    assert message.startswith("intervals failed in cell ") and fragment in message and "\n" not in message
    assert (run / "notebooks" / "intervals.failed.ipynb").is_file()
    assert _digests(run, "intervals") == before


def test_digests_computed_in_staging_serve_the_results_after_the_swap(tmp_path):
    from report.pipeline.hashing import DigestCache

    staging, results = tmp_path / "staging" / "step", tmp_path / "results" / "step"
    staging.mkdir(parents=True)
    (staging / "big.npy").write_bytes(b"x" * 1000)
    cache = DigestCache(tmp_path / "digests.json")
    digest = cache.digest(staging / "big.npy")
    results.parent.mkdir()
    staging.rename(results)
    cache.moved(staging, results)
    cache.dirty = False
    assert cache.digest(results / "big.npy") == digest
    assert cache.dirty is False  # served from the cache, the file was not read again


CONNECTION_NOTEBOOK = '''# %% tags=["parameters"]
run_dir: str = ""
request: dict = {}

# %%
import json
from ipykernel.connect import get_connection_info

info = get_connection_info(unpack=True)
print("CONNECTION", json.dumps({"transport": info["transport"], "ip": info["ip"]}))
'''


@pytest.fixture
def short_folder():
    """A folder with a short path: under pytest's deep temporary paths (deeper still with xdist) a kernel's socket
    path would pass the platform's limit, and kernels would rightly fall back to TCP."""
    folder = Path(tempfile.mkdtemp(prefix="sockets-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_kernels_started_at_once_all_run_over_their_own_sockets_inside_the_build(tmp_path, monkeypatch, short_folder):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from report.pipeline.execute import execute_step

    for variable in ("JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        monkeypatch.setenv(variable, str(tmp_path / "cache" / variable))
    notebook = tmp_path / "connection.py"
    notebook.write_text(CONNECTION_NOTEBOOK)
    staging = short_folder / "build" / ".staging"
    staging.mkdir(parents=True)
    kernels = 4
    with ProcessPoolExecutor(kernels, mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = [pool.submit(execute_step, f"k{i}", notebook, {"run_dir": "", "request": {}}, staging / f"k{i}.ipynb",
                            staging / f"k{i}.log", staging, 120, False) for i in range(kernels)]
        executed = [run.result() for run in runs]  # a kernel that failed to start raises StepError here
    connections = []
    for notebook_run in executed:
        text = "".join(o.get("text", "") for c in notebook_run.cells for o in c.get("outputs", []))
        connections.append(json.loads(text.split("CONNECTION ", 1)[1]))
    assert all(c["transport"] == "ipc" for c in connections)
    assert len({c["ip"] for c in connections}) == kernels
    assert all(Path(c["ip"]).parent == staging.resolve() for c in connections)
    left = sorted(p.name for p in staging.iterdir())
    assert left == sorted(f"k{i}.{ext}" for i in range(kernels) for ext in ("ipynb", "log"))  # sockets removed


def test_a_socket_path_too_long_for_the_platform_falls_back_to_tcp(tmp_path, short_folder):
    from report.pipeline.execute import UNIX_SOCKET_PATH_BYTES, kernel_connection

    folder = short_folder
    short = kernel_connection(folder, "train")
    assert short["transport"] == "ipc" and Path(short["connection_file"]).parent == folder.resolve()
    deep = tmp_path / ("d" * UNIX_SOCKET_PATH_BYTES)
    long = kernel_connection(deep, "train")
    assert "transport" not in long and Path(long["connection_file"]).parent == deep.resolve()
    assert kernel_connection(folder, "train")["connection_file"] != short["connection_file"]
