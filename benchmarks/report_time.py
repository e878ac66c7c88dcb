"""Time a whole build of one parameter file, step by step: the `make report` pipeline time.

    .venv/bin/python benchmarks/report_time.py parameters/synthetic-faces.yaml [--build-root /tmp/bench]

Builds the variant from scratch (`--force`, into a fresh folder under --build-root) in a child
process, as `latent-report build` does, and prints per step the wall time its notebook took (from
the build's manifest) and its CPU time (user + system, the step's kernel included), the rendering of
the site and PDF, the whole wall time, and the CPU time of the child and its kernels, with the load
average before and after, and the training's epochs and seconds per epoch: on a shared machine the
wall time grows with the other jobs, the CPU time much less. On two cores the training's wall time
on an idle machine is about half its CPU time (TensorFlow keeps both cores busy).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def step_table(manifest: dict, wall: float, cpu: float | None = None) -> str:
    """Per step of a build's manifest its wall time and CPU time (user + system of the step's kernel
    and of the build process while it ran; "-" in manifests from before CPU time was recorded), then
    the rest (rendering, PDF, checks) and the total."""
    steps = manifest["steps"]
    lines = [f"{'step':<20} {'wall s':>8} {'CPU s':>8}"]
    for name, record in steps.items():
        step_cpu = record.get("cpu_seconds")
        lines.append(f"{name:<20} {record['wall_seconds']:>8.1f} {'-' if step_cpu is None else f'{step_cpu:.1f}':>8}")
    rest = wall - sum(record["wall_seconds"] for record in steps.values())
    lines.append(f"{'render, PDF, rest':<20} {rest:>8.1f}")
    total_cpu = "" if cpu is None else f"; CPU {cpu:.0f} s"
    lines.append(f"{'total':<20} {wall:>8.1f}  ({wall / 60:.1f} min{total_cpu})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("params", type=Path, help="parameter file, e.g. parameters/synthetic-faces.yaml")
    parser.add_argument("--build-root", type=Path, default=Path("build/bench"), help="where to build (default build/bench)")
    args = parser.parse_args(argv)

    from report.params import load_params

    variant = load_params(args.params).variant
    run_dir = args.build_root / variant
    if run_dir.exists():
        shutil.rmtree(run_dir)
    load_before = os.getloadavg()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "report.cli", "build", str(args.params), "--build-root",
                           str(args.build_root), "--force"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
        return done.returncode
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    print(f"{variant}: python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(step_table(manifest, wall, usage.ru_utime + usage.ru_stime))
    train = run_dir / "results" / "train" / "stats.json"
    if train.is_file():
        history = json.loads(train.read_text(encoding="utf-8")).get("history") or {}
        seconds = history.get("epoch_seconds") or []
        if seconds:
            print(f"train: {len(seconds)} epochs, {sum(seconds) / len(seconds):.1f} s per epoch "
                  f"(first {seconds[0]:.1f} s, with tracing), best epoch {history.get('best_epoch')}")
    encode = run_dir / "results" / "encode" / "stats.json"
    if encode.is_file():
        record = json.loads(encode.read_text(encoding="utf-8"))
        psnr, ssim = record.get("heldout_psnr"), record.get("heldout_ssim")
        if psnr is not None:
            print(f"held-out PSNR {psnr:.2f} dB, SSIM {ssim:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
