"""Refresh the expected key statistics after an intended change; a deliberate act, never automatic.

    .venv/bin/python -m tests.regression.refresh tiny
    .venv/bin/python -m tests.regression.refresh synthetic-faces --from build/synthetic-faces

Without --from, each variant is built from parameters/<variant>.yaml into --build-root (default
build/; an up-to-date build runs nothing). With --from, the key statistics of that run folder are
taken as they are. The differences from the old expectations are printed before they are replaced;
review them and commit tests/regression/expected/<variant>.json with the change that caused them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from report import keystats
from report.compare import compare_runs
from report.errors import ReportError

from .check import PROJECT_ROOT, expected_path


def refresh(variant: str, run_dir: Path | None, build_root: Path) -> Path:
    """Write expected/<variant>.json from `run_dir` (or a build of the variant); return its path."""
    if run_dir is None:
        from report.build import build_variant

        params = PROJECT_ROOT / "parameters" / f"{variant}.yaml"
        if not params.is_file():
            raise ReportError(f"{params}: no parameter file for variant {variant}")
        run_dir = build_variant(params, build_root=build_root, progress=False).run_dir
    if Path(run_dir).is_dir() and Path(run_dir).name != variant:
        raise ReportError(f"{run_dir}: a run of variant {Path(run_dir).name}, not {variant}")
    values = keystats.load(run_dir)  # checks the file before anything is replaced
    target = expected_path(variant)
    if target.is_file():
        print(f"{variant}: changes against the old expectations")
        compare_runs(target, run_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(keystats.dumps(values), encoding="utf-8")
    print(f"{variant}: wrote {len(values)} key statistics to {target.relative_to(PROJECT_ROOT)}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.regression.refresh", description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="variant names, e.g. tiny synthetic-faces")
    parser.add_argument("--from", dest="run_dir", type=Path, help="take the key statistics of this run folder")
    parser.add_argument("--build-root", type=Path, default=Path("build"), help="where to build (default build/)")
    args = parser.parse_args(argv)
    if args.run_dir and len(args.variants) != 1:
        parser.error("--from takes one variant")
    try:
        for variant in args.variants:
            refresh(variant, args.run_dir, args.build_root)
    except ReportError as err:
        print(f"refresh: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
