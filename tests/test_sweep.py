"""Sweeps on Dask: sweep files, the task plan, the study, and real sweeps on a two-worker LocalCluster.

The real sweeps are kept cheap: reduced to the first steps (`only`), a failure injected through a
parameter value (an image folder whose only image cannot be read fails the `data` step).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import yaml

from report import keystats
from report.errors import ParameterError
from report.sweep.driver import SweepFailed, run_sweep, summary, task_name
from report.sweep.plan import plan
from report.sweep.spec import load_sweep, variant_name
from report.sweep.tasks import Identity, mismatch
from tests.conftest import TINY, tiny_raw


def write_sweep(folder: Path, name: str = "trial", base: Path = TINY, **fields) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"sweep": name, "base": os.path.relpath(base, folder), **fields}, sort_keys=False))
    return path


# ---- sweep files and the plan (no cluster) ------------------------------------------------------

def test_variants_are_the_product_of_the_varied_values(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, vary={"seed": [7, 11, 12], "model.z_dim": [16, 32]}), tmp_path / "build")
    assert [v.name for v in sweep.variants][:2] == ["seed-7_z_dim-16", "seed-7_z_dim-32"]
    assert len(sweep.variants) == 6
    last = sweep.variants[-1]
    assert (last.params.seed, last.params.model.z_dim, last.params.variant) == (12, 32, "seed-12_z_dim-32")
    assert last.run_dir == (tmp_path / "build" / "trial" / "seed-12_z_dim-32").resolve()


@pytest.mark.parametrize(("fields", "message"), [
    ({"vary": {"model.zdim": [16]}}, "model.zdim: unknown key"),
    ({"vary": {"seed": [-1]}}, "seed:"),
    ({"vary": {"seed": []}}, "vary.seed: give at least one value"),
    ({"vary": {"seed": [7, 7]}}, "vary.seed: a value is given twice"),
    ({"vary": {"seed.x": [1]}}, "vary.seed.x: seed is a value"),
    ({"vary": {"seed": [7]}, "only": "nope"}, "only: no step 'nope'"),
    ({"vary": {"seed": [7]}, "colour": 1}, "colour: unknown key"),
    ({"vary": {"seed": [7]}, "figure_stats": ["x.y"]}, "figure_stats: 'x.y'"),
])
def test_bad_sweep_files_are_one_line_errors_naming_file_and_key(tmp_path, fields, message):
    path = write_sweep(tmp_path, **fields)
    with pytest.raises(ParameterError) as caught:
        load_sweep(path, tmp_path / "build")
    text = str(caught.value)
    assert "\n" not in text and str(path) in text and message in text


def test_missing_base_is_named(tmp_path):
    path = write_sweep(tmp_path, base=tmp_path / "absent.yaml", vary={"seed": [1]})
    with pytest.raises(ParameterError, match="base: no such parameter file"):
        load_sweep(path)


def test_variant_names_are_safe_folder_names():
    assert variant_name({"train.learning_rate": 0.002, "data.source": "a b/c"}) == "learning_rate-0.002_source-a-b-c"
    assert variant_name({"model.z_dim": 16, "x.z_dim": 32}) == "model.z_dim-16_x.z_dim-32"


def test_plan_shares_steps_whose_inputs_are_equal(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, vary={"model.z_dim": [16, 32]}), tmp_path / "build")
    tasks = {task.key: task for task in plan(sweep)}
    assert tasks["z_dim-32/data"].leader == "z_dim-16"  # same data section and seed
    assert "z_dim-16/data" in tasks["z_dim-32/data"].needs
    assert tasks["z_dim-32/train"].leader is None  # another latent dimension trains another model
    assert tasks["z_dim-16/train"].uses_gpu and not tasks["z_dim-16/data"].uses_gpu


def test_plan_follows_the_step_graph(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, vary={"seed": [1, 2]}, only="distributions"), tmp_path / "build")
    tasks = {task.key: task for task in plan(sweep)}
    assert set(tasks) == {f"seed-{s}/{step}" for s in (1, 2) for step in ("data", "train", "encode", "distributions")}
    assert tasks["seed-2/encode"].needs == ("seed-2/data", "seed-2/train")
    assert all(task.leader is None for task in tasks.values())  # other seeds share nothing


def test_a_worker_with_other_code_or_packages_is_named():
    ours = Identity("abc", (("numpy", "2.0"),), "3.12.1")
    assert mismatch(ours, ours) is None
    assert "code" in mismatch(ours, Identity("xyz", (("numpy", "2.0"),), "3.12.1"))
    assert "numpy 1.26 (driver 2.0)" in mismatch(ours, Identity("abc", (("numpy", "1.26"),), "3.12.1"))


# ---- the study's summaries (pure) ---------------------------------------------------------------

def test_consensus_marks():
    from report.study import consensus

    assert consensus({"a": "x", "b": "x", "c": None})["mark"] == "holds in every run"
    assert consensus({"a": "x", "b": "x", "c": "y"}) == {"value": "x", "k": 2, "n": 3, "mark": "holds in 2 of 3"}
    assert consensus({"a": "x", "b": "y"})["mark"] == "varies"
    assert consensus({"a": None})["n"] == 0


def test_statistics_are_grouped_by_each_non_seed_parameter():
    from report.study import statistics_table

    variants = [{"name": f"s{s}_z{z}", "values": {"seed": s, "model.z_dim": z}} for s in (1, 2) for z in (16, 32)]
    stats = {v["name"]: {"distributions.radius.mean": v["values"]["model.z_dim"] + v["values"]["seed"]} for v in variants}
    (row,) = statistics_table(variants, stats, ["seed", "model.z_dim"])
    groups = row["against"]["model.z_dim"]
    assert [g["value"] for g in groups] == [16, 32]
    assert groups[0]["mean"] == pytest.approx(17.5) and groups[0]["sd"] == pytest.approx(0.5 ** 0.5)
    assert (groups[1]["min"], groups[1]["max"], groups[1]["n"]) == (33, 34, 2)


# ---- real sweeps on a two-worker cluster --------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    from report.sweep.driver import quiet_dask

    quiet_dask()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=0) as local:
        yield local


@pytest.fixture(scope="module")
def seeds_sweep(cluster, tmp_path_factory):
    """tiny over seeds 7 (tiny's own) and 11, built up to `encode` on the cluster."""
    folder = tmp_path_factory.mktemp("sweep")
    path = write_sweep(folder, vary={"seed": [7, 11]}, only="encode")
    outcome = run_sweep(path, build_root=folder / "build", scheduler=cluster.scheduler_address, echo=lambda line: None)
    return path, folder / "build", outcome


def test_two_variants_build_concurrently_with_the_serial_key_statistics(seeds_sweep, tiny_build):
    _, root, outcome = seeds_sweep
    assert set(outcome.executed) == {f"seed-{s}/{step}" for s in (7, 11) for step in ("data", "train", "encode")}
    own = keystats.load(root / "trial" / "seed-7")
    serial = keystats.load(tiny_build[0] / "tiny")
    assert own and own == {key: serial[key] for key in own}  # tiny's seed: exactly tiny's statistics
    other = keystats.load(root / "trial" / "seed-11")
    assert other["train.final_loss"] != own["train.final_loss"]
    for seed in (7, 11):
        record = json.loads((root / "trial" / f"seed-{seed}" / "manifest.json").read_text())
        assert record["variant"] == f"seed-{seed}" and record["seed"] == seed
    study = json.loads((root / "trial" / "study.json").read_text())
    assert study["sweep"] == "trial"
    assert study["variants"][1] == {"name": "seed-11", "run_dir": "seed-11", "values": {"seed": 11}, "complete": True}
    assert (root / "trial" / "study.html").is_file()


def test_two_tasks_ran_at_once(seeds_sweep):
    """The two variants' training overlapped in time: independent steps of different variants run together."""
    from datetime import datetime

    _, root, _ = seeds_sweep
    spans = []
    for seed in (7, 11):
        record = json.loads((root / "trial" / f"seed-{seed}" / "results" / "train" / "step.json").read_text())
        end = datetime.fromisoformat(record["finished_at"]).timestamp()
        spans.append((end - record["wall_seconds"], end))
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b and start_b < end_a


def test_an_unchanged_rerun_executes_nothing(seeds_sweep, cluster):
    path, root, _ = seeds_sweep
    lines = []
    outcome = run_sweep(path, build_root=root, scheduler=cluster.scheduler_address, echo=lines.append)
    assert outcome.executed == []
    assert "nothing to run" in summary(outcome)
    assert all(state in ("up to date",) or state.startswith("not rendered") for state in outcome.states.values())


@pytest.fixture
def broken_folder(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "face.png").write_bytes(b"not an image")
    return folder


def test_a_failing_step_stops_only_its_variant(cluster, tmp_path, broken_folder):
    base = tiny_raw() | {"data": {**tiny_raw()["data"], "path": str(broken_folder)}}
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    path = write_sweep(tmp_path, base=tmp_path / "base.yaml", vary={"data.source": ["synthetic", "folder"]}, only="data")
    with pytest.raises(SweepFailed) as caught:
        run_sweep(path, build_root=tmp_path / "build", scheduler=cluster.scheduler_address, echo=lambda line: None)
    line = str(caught.value)
    assert "\n" not in line and "1 of 2 variant(s) complete" in line and "source-folder/data" in line
    good, bad = tmp_path / "build" / "trial" / "source-synthetic", tmp_path / "build" / "trial" / "source-folder"
    assert (good / "results" / "data" / "step.json").is_file() and (good / "manifest.json").is_file()
    assert not (bad / "results" / "data").exists() and not (bad / "manifest.json").exists()
    study = json.loads((tmp_path / "build" / "trial" / "study.json").read_text())
    assert [v["complete"] for v in study["variants"]] == [True, False]
    assert "needs source-folder/data" in study["errors"]["source-folder/site"]


def test_equal_steps_are_computed_once_and_shared(cluster, tmp_path):
    path = write_sweep(tmp_path, vary={"model.z_dim": [16, 32]}, only="data")
    outcome = run_sweep(path, build_root=tmp_path / "build", scheduler=cluster.scheduler_address,
                        echo=lambda line: None)
    assert outcome.states["z_dim-16/data"] == "ran" and outcome.states["z_dim-32/data"] == "shared"
    first, second = (tmp_path / "build" / "trial" / f"z_dim-{z}" / "results" / "data" for z in (16, 32))
    assert os.path.samefile(first / "images.npy", second / "images.npy")
    rerun = run_sweep(path, build_root=tmp_path / "build", scheduler=cluster.scheduler_address, echo=lambda line: None)
    assert rerun.executed == []  # the shared copy is up to date in its own variant


def _kill_a_busy_worker(client, key: str, started: threading.Event) -> None:
    """Wait until `key` runs on a worker for a few seconds, then kill that worker's process."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        busy = [address for address, keys in client.processing().items() if key in map(task_name, keys)]
        if busy:
            time.sleep(3)  # let the step's kernel start and write
            pid = client.run(os.getpid, workers=busy)[busy[0]]
            os.kill(pid, signal.SIGKILL)
            started.set()
            return
        time.sleep(0.2)


def test_a_killed_worker_leaves_no_half_result_and_a_rerun_completes(cluster, tmp_path):
    from distributed import Client

    path = write_sweep(tmp_path, vary={"seed": [5]}, only="data")
    killed = threading.Event()
    with Client(cluster.scheduler_address) as client:
        killer = threading.Thread(target=_kill_a_busy_worker, args=(client, "seed-5/data", killed))
        killer.start()
        with contextlib.suppress(SweepFailed):  # Dask may give up on the task; the rerun below must then complete it
            run_sweep(path, build_root=tmp_path / "build", scheduler=cluster.scheduler_address, echo=lambda line: None)
        killer.join()
    assert killed.is_set()
    cluster.wait_for_workers(2)
    outcome = run_sweep(path, build_root=tmp_path / "build", scheduler=cluster.scheduler_address,
                        echo=lambda line: None)
    run_dir = tmp_path / "build" / "trial" / "seed-5"
    assert outcome.variant_ok("seed-5")
    assert json.loads((run_dir / "results" / "data" / "step.json").read_text())["step"] == "data"
    assert not list((run_dir / ".staging").iterdir())


@pytest.mark.parametrize("name", ["study-seeds.yaml", "study-zdim.yaml"])
def test_shipped_sweep_files_load(name):
    from tests.conftest import PROJECT_ROOT

    sweep = load_sweep(PROJECT_ROOT / "parameters" / name)
    assert len(sweep.variants) >= 5 and sweep.base_path.name == "synthetic-faces.yaml"


def _study_json(folder: Path, base_variant: str, vary: dict, findings: list[dict]) -> Path:
    path = folder / "study.json"
    folder.mkdir(parents=True)
    path.write_text(json.dumps({"sweep": folder.name, "base_variant": base_variant, "vary": vary,
                                "findings": findings}))
    return path


def test_a_seed_study_beside_a_run_puts_its_varying_findings_on_their_pages(tmp_path):
    from report.study import consensus, seed_study_context

    values = {"seed-1": "like-normal", "seed-2": "thin-manifold", "seed-3": "like-normal"}
    varying = {"name": "filaments", "short": "The filaments verdict", **consensus(values),
               "otherwise": {"seed-2": "thin-manifold"}}
    steady = {"name": "dominant", "short": "Dominant components exist", **consensus(dict.fromkeys(values, "yes")),
              "otherwise": {}}
    (tmp_path / "faces").mkdir()
    _study_json(tmp_path / "faces-zdim", "faces", {"model.z_dim": [8, 16]}, [varying])  # not a seed study
    _study_json(tmp_path / "faces-seeds", "faces", {"seed": [1, 2, 3]}, [varying, steady])
    context = seed_study_context(tmp_path / "faces", "faces")
    assert context["sweep"] == "faces-seeds" and context["link"] == "../../faces-seeds/study.html"
    assert list(context["notes"]) == ["filaments"]  # a finding that holds in every run is not mentioned
    (note,) = context["notes"]["filaments"]
    assert (note["value"], note["k"], note["n"], note["otherwise"]) == ("like-normal", 2, 3, {"seed-2": "thin-manifold"})
    assert seed_study_context(tmp_path / "faces", "other") == {}
