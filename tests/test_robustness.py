"""Builds under faults: a second build of the same variant, Ctrl-C / SIGTERM / kill -9 during a
step, damaged results, no room, and bad input. Every subprocess runs under a timeout."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT, TINY, run_cli, tiny_raw, write_params

from report.build import build_variant
from report.errors import ParameterError, ReportError
from report.params import load_params, parse_params
from report.pipeline.lock import BuildLocked, variant_lock

QUIET = dict(progress=False, echo=lambda line: None)
STEP_TIMEOUT_S = 240  # no single build below takes near this on two busy cores


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "report.cli", *args]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


def _start_build(root: Path, *extra: str, params: Path = TINY) -> subprocess.Popen:
    return subprocess.Popen(_cli("build", str(params), "--build-root", str(root), "--quiet", *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT, env=_env())


def _kernels(pid: int) -> list:
    import psutil

    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
    found = []
    for child in children:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                found.append(child)
        except psutil.Error:
            pass
    return found


def _wait_for_kernel_in(proc: subprocess.Popen, run_dir: Path, step: str, timeout_s: float = 120) -> list:
    """Wait until `step` runs in a kernel (its staging folder exists and a kernel is alive)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        kernels = _kernels(proc.pid)
        if kernels and (run_dir / ".staging" / step).is_dir():
            return kernels
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"{step} never started: {proc.communicate()}")


def _gone(processes, timeout_s: float = 15) -> bool:
    import psutil

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        alive = []
        for p in processes:
            try:
                if p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.Error:
                pass
        if not alive:
            return True
        time.sleep(0.2)
    return False


def _key_stats(run_dir: Path) -> dict:
    return json.loads((run_dir / "results" / "key_stats.json").read_text())


def _drop(run_dir: Path, *steps: str) -> None:
    import shutil

    for step in steps:
        shutil.rmtree(run_dir / "results" / step)


# --- one build per variant folder -------------------------------------------------------------


def test_a_second_build_waits_for_the_lock_or_refuses_with_no_wait(tiny_copy):
    run_dir = tiny_copy / "tiny"
    with variant_lock(run_dir, echo=lambda line: None):
        refused = subprocess.run(_cli("build", str(TINY), "--build-root", str(tiny_copy), "--no-wait"),
                                 capture_output=True, text=True, cwd=PROJECT_ROOT, env=_env(), timeout=STEP_TIMEOUT_S)
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
        assert "another build of this variant is running" in refused.stderr and "--no-wait" in refused.stderr
        waiting = _start_build(tiny_copy)
        time.sleep(6)
        assert waiting.poll() is None  # still waiting while the lock is held
    out, err = waiting.communicate(timeout=STEP_TIMEOUT_S)
    assert waiting.returncode == 0, err
    assert "waiting for it to finish" in out and "nothing to run" in out
    with pytest.raises(BuildLocked), variant_lock(run_dir, echo=lambda line: None), variant_lock(run_dir, wait=False):
        pass


def test_two_builds_of_one_variant_started_together_both_end_cleanly(tiny_build, tiny_copy):
    run_dir = tiny_copy / "tiny"
    _drop(run_dir, "correlations")
    first, second = _start_build(tiny_copy), _start_build(tiny_copy)
    outputs = [p.communicate(timeout=STEP_TIMEOUT_S) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert all("Traceback" not in err for _, err in outputs)
    joined = outputs[0][0] + outputs[1][0]
    assert joined.count("correlations         done") == 1  # the second found it done
    assert "waiting for it to finish" in joined
    assert _key_stats(run_dir) == _key_stats(tiny_build[0] / "tiny")


def test_different_variants_build_side_by_side(tiny_copy, tmp_path):
    """Two variants in one build root hold different locks."""
    other = tiny_copy / "other"
    other.mkdir()
    with variant_lock(tiny_copy / "tiny", echo=lambda line: None), variant_lock(other, wait=False):
        pass


# --- interruptions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "sig"),
    [pytest.param("train", signal.SIGKILL, marks=pytest.mark.slow), ("correlations", signal.SIGKILL), ("correlations", signal.SIGTERM),
     ("correlations", signal.SIGINT)],
    ids=["kill-9-train", "kill-9-correlations", "sigterm-correlations", "ctrl-c-correlations"],
)
def test_an_interrupted_build_resumes_and_matches_a_clean_build(step, sig, tiny_build, tiny_copy, no_render):
    run_dir = tiny_copy / "tiny"
    _drop(run_dir, step)
    before = {name: (run_dir / "results" / name / "step.json").read_bytes() for name in ("data", "encode")}
    site = (run_dir / "site" / "report.pdf").read_bytes()
    proc = _start_build(tiny_copy)
    kernels = _wait_for_kernel_in(proc, run_dir, step)
    time.sleep(1.5 if step == "train" else 0.3)
    os.kill(proc.pid, sig)
    _out, err = proc.communicate(timeout=60)
    assert _gone(kernels), "the kernel outlived its build"
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == (143 if sig == signal.SIGTERM else 130)
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert f"during {step}" in err and f"resumes with {step}" in err
        assert not (run_dir / ".staging" / step).exists()
    assert not (run_dir / "results" / step).exists()  # nothing half-done was swapped in
    assert {name: (run_dir / "results" / name / "step.json").read_bytes() for name in before} == before
    assert (run_dir / "site" / "report.pdf").read_bytes() == site

    lines = []
    outcome = build_variant(TINY, build_root=tiny_copy, progress=False, echo=lines.append)
    assert outcome.executed[0] == step and "data" not in outcome.executed
    if step == "train":  # the same seed trains the same weights: the steps after it keep their results
        assert outcome.executed == ["train"]
    assert _key_stats(run_dir) == _key_stats(tiny_build[0] / "tiny")
    assert not any((run_dir / ".staging").iterdir())


def test_a_signal_whose_interrupt_was_swallowed_still_stops_the_step(tiny_copy, monkeypatch):
    """Python may swallow the KeyboardInterrupt (raised inside a __del__); the recorded signal still stops the build."""
    from report.errors import SIGNALS_RECEIVED, BuildInterrupted
    from report.pipeline import run as pipeline_run

    run_dir = tiny_copy / "tiny"
    _drop(run_dir, "correlations")
    real_execute = pipeline_run.execute_step

    def execute_then_swallow(name, *args, **kwargs):
        notebook = real_execute(name, *args, **kwargs)
        SIGNALS_RECEIVED.append("SIGINT")  # as the command line's handler does, its exception lost
        return notebook

    monkeypatch.setattr(pipeline_run, "execute_step", execute_then_swallow)
    try:
        with pytest.raises(BuildInterrupted, match="during correlations"):
            build_variant(TINY, build_root=tiny_copy, **QUIET)
    finally:
        SIGNALS_RECEIVED.clear()
    assert not (run_dir / "results" / "correlations").exists()
    assert not any((run_dir / ".staging").iterdir())


# --- damaged results --------------------------------------------------------------------------


def test_damaged_results_are_rebuilt_not_rendered(tiny_build, tiny_copy):
    run_dir = tiny_copy / "tiny"
    results = run_dir / "results"
    latents = results / "encode" / "latents.npy"
    good_latents = latents.read_bytes()
    latents.write_bytes(good_latents[: len(good_latents) // 2])                       # truncated
    stats = results / "correlations" / "stats.json"
    stats.write_text(stats.read_text().replace('"n_points": ', '"n_points": 1', 1))   # edited
    (results / "distributions" / "step.json").write_text('{"step": "distr')         # garbage record
    record = json.loads((results / "origin_slices" / "step.json").read_text())
    record["fingerprint"]["seed"] += 1                                                # edited record
    (results / "origin_slices" / "step.json").write_text(json.dumps(record))
    (results / "data" / "sample-grid.png").unlink()                                   # deleted
    lines = []
    outcome = build_variant(TINY, build_root=tiny_copy, progress=False, echo=lines.append)
    said = "\n".join(lines)
    assert "data                 runs: results missing: sample-grid.png" in said
    assert "encode               runs: results changed on disk: latents.npy" in said
    assert "correlations         runs: results changed on disk: stats.json" in said
    assert "distributions        runs: step record damaged: step.json is unreadable" in said
    assert "origin_slices        runs: seed changed" in said
    assert {"data", "encode", "distributions", "correlations", "origin_slices"} <= set(outcome.executed)
    assert latents.read_bytes() == good_latents
    assert _key_stats(run_dir) == _key_stats(tiny_build[0] / "tiny")
    assert build_variant(TINY, build_root=tiny_copy, **QUIET).executed == []


def test_a_damaged_result_is_rebuilt_even_outside_only(tiny_copy, no_render):
    stats = tiny_copy / "tiny" / "results" / "origin_slices" / "stats.json"
    stats.write_text(stats.read_text().replace("{", '{"edited": true, ', 1))
    outcome = build_variant(TINY, build_root=tiny_copy, only="correlations", **QUIET)
    assert outcome.executed == ["origin_slices"]


# --- resources --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fragment"),
    [({"n_images": 10**9}, "of disk"), ({"image_size": 4096}, "data.image_size"),
     ({"image_size": 512, "pca_sample": 10**5, "n_images": 10**5}, "of memory")],
)
def test_absurd_sizes_are_refused_at_validation(data, fragment):
    with pytest.raises(ParameterError) as err:
        parse_params({"variant": "v", "data": data}, "big.yaml")
    assert fragment in str(err.value) and "\n" not in str(err.value)


def test_shipped_variants_fit_the_estimate():
    from report.sweep.spec import is_sweep_file

    for path in sorted((PROJECT_ROOT / "parameters").glob("*.yaml")):
        if not is_sweep_file(path):
            load_params(path)


def test_an_unwritable_build_folder_is_one_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the build root should be")
    result = subprocess.run(_cli("build", str(TINY), "--build-root", str(blocker)), capture_output=True, text=True,
                            cwd=PROJECT_ROOT, env=_env(), timeout=STEP_TIMEOUT_S)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(blocker) in result.stderr


def test_a_full_disk_while_rendering_names_the_path_and_keeps_the_site(tiny_copy, tmp_path, monkeypatch):
    import errno

    from report import cli
    from report.render import site as site_module

    run_dir = tiny_copy / "tiny"
    pdf = (run_dir / "site" / "report.pdf").read_bytes()

    def full(html, folder, target):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(site_module, "write_pdf", full)
    raw = tiny_raw()
    raw["description"] = "changed, so the site renders again"
    path = write_params(tmp_path, raw)
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        code = cli.main(["build", str(path), "--build-root", str(tiny_copy), "--quiet"])
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    assert code == 2
    assert (run_dir / "site" / "report.pdf").read_bytes() == pdf


def test_os_errors_are_one_line_naming_the_path():
    import errno

    from report.cli import _os_error_line

    line = _os_error_line(OSError(errno.ENOSPC, "No space left on device", "/b/tiny/site/report.pdf"))
    assert line == "latent-report: /b/tiny/site/report.pdf: no space left on the device; results built before are intact"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "empty"), ("# only a comment\n", "empty"), ("- variant: a\n", "mapping"),
     ("variant: a\nseed: 1\nseed: 2\n", "key 'seed' is given twice (lines 2 and 3)"),
     ("variant: a\ndata:\n  n_images: 20\n  n_images: 30\n", "key 'n_images' is given twice"),
     ("variant: a/b\n", "cannot name a build folder"), ("variant: ..\n", "cannot name a build folder"),
     ("variant: my run\n", "cannot name a build folder"), ("variant: vari\u00e4nt\n", "cannot name a build folder"),
     ("variant: ../../etc\n", "cannot name a build folder")],
)
def test_bad_parameter_files_are_one_line(text, fragment, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_params(path)
    assert str(err.value).startswith(str(path)) and fragment in str(err.value) and "\n" not in str(err.value)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes("\ufeffvariant: bom\nseed: 3\n".encode("utf-8"))
    assert load_params(path).seed == 3
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ParameterError, match="UTF-8"):
        load_params(binary)


@pytest.mark.parametrize("case", ["3-d", "one-row", "object", "npz", "pickle", "inf"])
def test_bad_latent_files_are_one_line_from_the_cli(case, tmp_path):
    path = tmp_path / "z.npy"
    if case == "3-d":
        np.save(path, np.ones((20, 4, 2)))
    elif case == "one-row":
        np.save(path, np.ones((1, 8)))
    elif case == "object":
        np.save(path, np.array([[1, "a"]] * 20, dtype=object), allow_pickle=True)
    elif case == "npz":
        with open(path, "wb") as handle:
            np.savez(handle, z=np.ones((20, 4)))
    elif case == "pickle":
        path.write_bytes(pickle.dumps(np.ones((20, 4))))
    else:
        z = np.ones((20, 4))
        z[5, 1] = np.inf
        np.save(path, z)
    raw = tiny_raw()
    raw["data"] = {"source": "zpoints", "path": str(path)}
    params = write_params(tmp_path, raw)
    result = run_cli("validate", str(params), cwd=tmp_path)
    assert result.returncode == 0  # the file is valid; the data are checked when a build starts
    result = run_cli("build", str(params), "--build-root", str(tmp_path / "b"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(path) in result.stderr


def test_odd_image_files_are_converted_or_skipped_and_counted(tmp_path):
    from PIL import Image

    from report.data.sources import open_images, write_images
    from report.params import DataParams

    folder = tmp_path / "faces"
    folder.mkdir()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(folder / "a-rgb.jpg")
    Image.new("L", (20, 20), 128).save(folder / "b-grey.png")
    Image.new("RGBA", (20, 20), (10, 20, 30, 0)).save(folder / "c-transparent.png")
    Image.fromarray(np.full((20, 20), 32768, dtype=np.uint16)).save(folder / "d-16bit.png")
    Image.new("RGB", (20, 20), (0, 255, 0)).save(folder / "e-png-named.jpg", format="PNG")
    (folder / "f-text.png").write_text("not an image")
    Image.new("1", (14000, 14000)).save(folder / "g-huge.png")  # beyond PIL's decompression-bomb limit
    (folder / "h-empty.jpg").write_bytes(b"")
    data = DataParams(source="folder", path=str(folder), image_size=16, n_images=16, chunk_size=16)
    info = write_images(data, 0, tmp_path / "out")
    images = np.asarray(open_images(tmp_path / "out"))
    assert info["n_images"] == 5 and info["skipped"] == 3
    assert set(info["skipped_examples"]) == {"f-text.png", "g-huge.png", "h-empty.jpg"}
    assert images.shape == (5, 16, 16, 3)
    assert tuple(images[1, 8, 8]) == (128, 128, 128)        # greyscale expanded
    assert tuple(images[2, 8, 8]) == (10, 20, 30)           # alpha dropped, colours kept
    assert tuple(images[3, 8, 8]) == (128, 128, 128)        # 16-bit scaled, not clipped to white
    assert tuple(images[4, 8, 8]) == (0, 255, 0)            # read by content, not by suffix


def test_sigterm_while_rendering_keeps_the_site_and_text_is_escaped_in_every_page(tiny_copy, tmp_path):
    """The site of a build stopped while rendering stays as it was; the next build renders a site in
    which markup from the parameter file shows as text."""
    from report.render.environment import environment

    assert environment().autoescape("index.html") and environment().autoescape("steps/data.html")
    run_dir = tiny_copy / "tiny"
    pdf = (run_dir / "site" / "report.pdf").read_bytes()
    raw = tiny_raw()
    raw["description"] = '<script>alert("x")</script> & <b>bold</b>'
    params = write_params(tmp_path, raw)
    proc = _start_build(tiny_copy, params=params)
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while not (run_dir / ".staging" / "site").is_dir() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, (out, err)
    assert err.count("\n") == 1 and "while rendering" in err and "Traceback" not in err
    assert (run_dir / "site" / "report.pdf").read_bytes() == pdf

    outcome = build_variant(params, build_root=tiny_copy, **QUIET)
    assert outcome.rendered and outcome.executed == []
    pages = sorted((run_dir / "site").glob("*.html"))
    assert pages
    shown = 0
    for page in pages:
        text = page.read_text()
        assert "<script>alert" not in text and "<b>bold</b>" not in text, page.name
        shown += "&lt;script&gt;alert" in text
    assert shown >= 1


def test_a_build_that_cannot_fit_on_its_disk_is_refused(tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    from report import resources

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10 << 20, 9 << 20, 1 << 20))
    params = parse_params({"variant": "v", "data": {"n_images": 100_000}})
    with pytest.raises(ReportError, match=r"needs about .* of disk .* but only 1\.0 MiB is free") as err:
        resources.check_room(params, tmp_path)
    assert str(err.value).startswith(str(tmp_path))
