"""Time a sweep on Dask against the same variants built one after another, and the Dask path's overhead.

    .venv/bin/python benchmarks/sweep_time.py [--variants 6] [--workers 2] [--only STEP] [--build-root /tmp/sweep-bench]

1. Parallel: a sweep of `--variants` seeds of parameters/tiny.yaml on a local cluster of `--workers`
   worker processes (`latent-report sweep`), from scratch.
2. Serial: the same variants' parameter files (the ones the sweep wrote) built one after another by
   `latent-report build`, from scratch. The ratio parallel / serial is the sweep's gain (goal on two
   cores: at most 0.65).
3. Overhead: one variant through `latent-report sweep --workers 1` against `latent-report build` of
   the same parameters, both from scratch (goal: at most 10 % more wall time).

Every run is a child process, as a user runs it; the load average is printed before and after,
since on a shared machine wall times grow with the other jobs. `--only STEP` limits every build to
that step and what it needs (quicker, but then the site is not rendered).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TINY = PROJECT_ROOT / "parameters" / "tiny.yaml"
FIRST_SEED = 101  # seeds FIRST_SEED, FIRST_SEED + 1, ...: none is tiny's own, so nothing is reused


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "report.cli", *args]


def timed(command: list[str]) -> float:
    """Wall seconds of a child process run from the project root; stops the benchmark if it fails."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip().splitlines()[-1:]}")
    return wall


def write_sweep(folder: Path, name: str, seeds: list[int], only: str | None) -> Path:
    """A sweep file over seeds of tiny."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    spec = {"sweep": name, "base": str(TINY), "vary": {"seed": seeds}, **({"only": only} if only else {})}
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def build_args(only: str | None) -> list[str]:
    return ["--quiet", "--force"] + (["--only", only] if only else [])


def parallel_and_serial(root: Path, n: int, workers: int, only: str | None) -> tuple[float, float]:
    """Wall seconds of the sweep of n variants on `workers` workers, and of the same n built one by one."""
    sweep = write_sweep(root, "bench", list(range(FIRST_SEED, FIRST_SEED + n)), only)
    parallel = timed(cli("sweep", str(sweep), "--workers", str(workers), "--force", "--build-root", str(root / "dask")))
    files = sorted((root / "dask" / "bench" / "parameters").glob("*.yaml"))
    serial = sum(timed(cli("build", str(path), *build_args(only), "--build-root", str(root / "serial")))
                 for path in files)
    return parallel, serial


def overhead(root: Path, only: str | None) -> tuple[float, float]:
    """Wall seconds of one variant through the sweep (one worker) and through `build`."""
    sweep = write_sweep(root, "one", [FIRST_SEED], only)
    dask = timed(cli("sweep", str(sweep), "--workers", "1", "--force", "--build-root", str(root / "dask")))
    path = root / "dask" / "one" / "parameters" / f"seed-{FIRST_SEED}.yaml"
    build = timed(cli("build", str(path), *build_args(only), "--build-root", str(root / "serial")))
    return dask, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="limit every build to this step and what it needs")
    parser.add_argument("--build-root", default="/tmp/sweep-bench")
    args = parser.parse_args()
    root = Path(args.build_root)
    shutil.rmtree(root, ignore_errors=True)
    print(f"before: {load()}", flush=True)
    parallel, serial = parallel_and_serial(root, args.variants, args.workers, args.only)
    print(f"{args.variants} tiny variants{f' (only {args.only})' if args.only else ''}: sweep on {args.workers} "
          f"workers {parallel:.1f} s, serial builds {serial:.1f} s, ratio {parallel / serial:.2f} (goal <= 0.65)",
          flush=True)
    print(f"between: {load()}", flush=True)
    dask, build = overhead(root, args.only)
    print(f"one variant: sweep {dask:.1f} s, build {build:.1f} s, overhead {100 * (dask / build - 1):+.1f} % "
          "(goal <= 10 %)")
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
