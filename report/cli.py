"""The `latent-report` command: build, sweep, validate, compare.

Expected failures (bad parameters, bad data, a failed step, a full disk) print one line and exit
non-zero; `--debug` shows the traceback instead. Ctrl-C and SIGTERM stop the build and its kernel
and print one line (exit 130, or 143 for SIGTERM).
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import time
from pathlib import Path

from report.errors import SIGNALS_RECEIVED, ReportError


def _build(args: argparse.Namespace) -> int:
    from report.build import build_variant
    from report.params import load_params

    for path in args.params:  # every file is checked before anything runs
        load_params(path)
    for path in args.params:
        started = time.perf_counter()
        outcome = build_variant(Path(path), build_root=Path(args.build_root), force=args.force,
                                only=args.only, progress=not args.quiet and sys.stderr.isatty(),
                                wait=not args.no_wait)
        ran = outcome.executed
        summary = f"{len(ran)} step(s) ran" if ran else "nothing to run"
        site = outcome.run_dir / "site" / "index.html"
        print(f"{outcome.run_dir.name}: {summary}; {'rendered' if outcome.rendered else 'site up to date'}"
              f" in {time.perf_counter() - started:.1f} s -> {_shown(site)}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from report.sweep.driver import run_sweep, summary

    outcome = run_sweep(Path(args.sweep), build_root=Path(args.build_root), workers=args.workers,
                        scheduler=args.scheduler, force=args.force, only=args.only)
    print(f"{summary(outcome)} -> {_shown(outcome.sweep.root / 'study.html')}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from report.params import load_params

    for path in args.params:
        params = load_params(path)
        own = None
        if params.model.loaded:  # a model trained elsewhere: load both files and check them against the parameters
            from report.own_model import check_parameters, describe

            own = describe(check_parameters(params))
        print(f"{path}: valid (variant {params.variant}, data.source {params.data.source}"
              f"{'; ' + own if own else ''})")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from report.compare import compare_runs

    return compare_runs(Path(args.run_a), Path(args.run_b), show_all=args.all, output_format=args.format)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="latent-report", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="run every step whose inputs changed, then render")
    build.add_argument("params", nargs="+", help="parameter file(s), e.g. parameters/synthetic-faces.yaml")
    build.add_argument("--force", action="store_true", help="re-run every step")
    build.add_argument("--only", metavar="STEP", help="only this step and the steps it needs")
    build.add_argument("--build-root", default="build", help="folder that receives build/<variant>/")
    build.add_argument("--quiet", action="store_true", help="no per-cell progress bars")
    build.add_argument("--no-wait", action="store_true",
                       help="when another build of the same variant is running, stop with one line instead of "
                            "waiting for it (the default is to wait, saying so)")
    build.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    build.set_defaults(run=_build)

    sweep = commands.add_parser("sweep", help="build every variant of a sweep file on Dask, then write the study")
    sweep.add_argument("sweep", help="sweep file, e.g. parameters/study-seeds.yaml")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive, metavar="N",
                       help="worker processes of a local Dask cluster (default: the sweep file's `workers`)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="use the Dask scheduler at ADDRESS, e.g. tcp://host:8786")
    sweep.add_argument("--force", action="store_true", help="re-run every step of every variant")
    sweep.add_argument("--only", metavar="STEP", help="only this step and the steps it needs, in every variant")
    sweep.add_argument("--build-root", default="build", help="folder that receives build/<sweep>/")
    sweep.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    sweep.set_defaults(run=_sweep)

    validate = commands.add_parser("validate", help="check parameter file(s)")
    validate.add_argument("params", nargs="+")
    validate.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    validate.set_defaults(run=_validate)

    compare = commands.add_parser("compare", help="key statistics of two runs side by side")
    compare.add_argument("run_a", help="a run folder, e.g. build/tiny")
    compare.add_argument("run_b")
    compare.add_argument("--all", action="store_true", help="list every statistic, not only those that differ")
    compare.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    compare.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    compare.set_defaults(run=_compare)
    return parser.parse_args(argv)


def _on_signal(signum, frame) -> None:
    """Ctrl-C, SIGTERM and SIGHUP unwind alike, so kernels are stopped and staging is dropped.

    The signal is recorded before the KeyboardInterrupt is raised: should the exception land where
    Python swallows it, the pipeline still stops at the next step boundary (`raise_if_signalled`).
    """
    SIGNALS_RECEIVED.append(signal.Signals(signum).name)
    raise KeyboardInterrupt


def _interrupted_line(err: KeyboardInterrupt) -> str:
    from report.errors import BuildInterrupted

    first = SIGNALS_RECEIVED[0] if SIGNALS_RECEIVED else "SIGINT"
    how = "interrupted" if first == "SIGINT" else f"stopped by {first}"
    if isinstance(err, BuildInterrupted):
        return (f"latent-report: {how} {err.where}; no kernel is left running, finished steps and the earlier site "
                f"are intact; the next build resumes with {err.resume}")
    return f"latent-report: {how}; earlier results are intact"


def _os_error_line(err: OSError) -> str:
    where = err.filename or "the build folder"
    reason = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded",
              errno.EROFS: "read-only file system", errno.EACCES: "permission denied",
              errno.EPERM: "operation not permitted"}.get(err.errno, err.strerror or str(err))
    return f"latent-report: {where}: {reason}; results built before are intact"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    SIGNALS_RECEIVED.clear()
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _on_signal)
    try:
        return args.run(args)
    except ReportError as err:
        if args.debug:
            raise
        print(f"latent-report: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # a second signal must not cut the cleanup short
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_IGN)
        from report.pipeline.execute import stop_kernels

        stop_kernels()
        print(_interrupted_line(err), file=sys.stderr)
        return 143 if SIGNALS_RECEIVED[:1] == ["SIGTERM"] else 130
    except BrokenPipeError:  # e.g. `latent-report compare a b | head`: the reader left, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:  # a full disk, a folder that became unwritable: name the path, keep what was built
        if args.debug:
            raise
        print(_os_error_line(err), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
