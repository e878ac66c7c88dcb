"""How far another CPU's arithmetic moves each key statistic, against its tolerance.

    .venv/bin/python benchmarks/numerics_drift.py REFERENCE_RUN PERTURBED_RUN
    .venv/bin/python benchmarks/numerics_drift.py --build parameters/tiny.yaml --build-root /tmp/drift

The regression tolerances in `report/keystats.py` must cover what a different machine does to the
same parameter file and seed: other vector instructions, another summation order, another number
of threads. One machine can imitate that by building twice, once as usual and once with oneDNN's
fused kernels off and every library on one thread (TF_ENABLE_ONEDNN_OPTS=0, TF_NUM_INTRAOP_THREADS=1,
OMP/OpenBLAS/MKL threads 1). Training amplifies the round-off, so every later statistic moves.

Given two finished runs, or with --build a parameter file (both builds are made under
--build-root/reference and --build-root/perturbed), this prints per key statistic the two values,
the shift, the tolerance and the shift as a share of the tolerance, and lists the statistics whose
tolerance is less than 1.5x their measured shift. Exit status 1 if any shift exceeds its tolerance.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PERTURBED_ENV = {"TF_ENABLE_ONEDNN_OPTS": "0", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
                 "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
MARGIN = 1.5  # a tolerance should be at least this many times the measured shift


def build(params: Path, root: Path, perturbed: bool) -> Path:
    from report.params import load_params

    env = {**os.environ, **(PERTURBED_ENV if perturbed else {})}
    subprocess.run([sys.executable, "-m", "report.cli", "build", str(params), "--build-root", str(root)],
                   cwd=PROJECT_ROOT, env=env, check=True)
    return root / load_params(params).variant


def used_share(stat, expected: float, actual: float) -> float:
    """The shift as a share of what the tolerance allows (1.0: exactly at the tolerance)."""
    if stat.factor > 1:
        low, high = expected / stat.factor - stat.atol, expected * stat.factor + stat.atol
        allowed = (high - expected) if actual >= expected else (expected - low)
    else:
        allowed = stat.atol + stat.rtol * abs(expected)
    shift = abs(actual - expected)
    if allowed == 0:
        return 0.0 if shift == 0 else float("inf")
    return shift / allowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", type=Path, help="REFERENCE_RUN PERTURBED_RUN (finished build folders)")
    parser.add_argument("--build", type=Path, help="parameter file to build twice instead")
    parser.add_argument("--build-root", type=Path, default=Path("build/drift"))
    args = parser.parse_args(argv)
    from report import keystats

    if args.build:
        reference = build(args.build, args.build_root / "reference", perturbed=False)
        perturbed = build(args.build, args.build_root / "perturbed", perturbed=True)
    elif len(args.runs) == 2:
        reference, perturbed = args.runs
    else:
        parser.error("give two run folders or --build PARAMS")
    expected, actual = keystats.compute(reference), keystats.compute(perturbed)
    tight, beyond = [], []
    print(f"{'key statistic':58s} {'reference':>11s} {'perturbed':>11s} {'tolerance':>14s} {'used':>6s}")
    for key in keystats.order(set(expected) | set(actual)):
        stat = keystats.definition(key)
        if key not in expected or key not in actual:
            print(f"{key:58s} {'(only in one run)':>23s}")
            continue
        used = used_share(stat, expected[key], actual[key])
        mark = "  <- beyond" if used > 1 else ("  <- tight" if used * MARGIN > 1 else "")
        print(f"{key:58s} {expected[key]:11.4g} {actual[key]:11.4g} {stat.tolerance_text:>14s} {used:6.0%}{mark}")
        (beyond if used > 1 else tight if used * MARGIN > 1 else []).append(key)
    print(f"\n{len(expected)} statistics; tolerance under {MARGIN}x the shift: {len(tight)}; shift beyond it: {len(beyond)}")
    return 1 if beyond else 0


if __name__ == "__main__":
    sys.exit(main())
