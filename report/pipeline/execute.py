"""The one door to papermill: run a step's notebook in a staging folder and turn every kind of
failure into a one-line StepError that names the step, the cell and the cause.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

import jupytext
import nbformat

from report.errors import StepError

# The names every analysis notebook declares in its cell tagged "parameters", and nothing else.
NOTEBOOK_PARAMETERS = ("run_dir", "request")

KERNEL_NOISE = ("Kernel is running over TCP without encryption",)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a jupytext percent script as a notebook with a Python kernelspec."""
    notebook = jupytext.read(path)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.setdefault("language_info", {"name": "python"})
    return notebook


def check_declared_parameters(notebook: nbformat.NotebookNode, path: Path, injected: dict) -> None:
    """Unknown or unset notebook parameters are errors, not papermill warnings."""
    import papermill

    tagged = [c for c in notebook.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise StepError(f"{path}: no cell tagged 'parameters'")
    declared = set(papermill.inspect_notebook(notebook))
    unknown = sorted(set(injected) - declared)
    unset = sorted(declared - set(injected))
    if unknown:
        raise StepError(f"{path}: does not declare the parameter(s) {', '.join(unknown)}")
    if unset:
        raise StepError(f"{path}: parameter(s) {', '.join(unset)} declared but not set by the pipeline")


class _NoiseFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(noise in message for noise in KERNEL_NOISE)


@contextlib.contextmanager
def _noise_to(log_file):
    """Send kernel and library noise to the step's log file; yield a stream for the progress bar.

    The kernel is a child process that inherits file descriptor 2, so TensorFlow's C++ messages and
    ipykernel's warnings can only be kept off the terminal by pointing descriptor 2 at the log.
    """
    handler = logging.StreamHandler(log_file)
    handler.addFilter(_NoiseFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    names = ("papermill", "traitlets", "nbclient", "jupyter_client", "asyncio")
    saved = {}
    for name in names:
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.propagate, logger.level)
        logger.handlers = [handler]
        logger.propagate = False
        logger.setLevel(logging.INFO)
    sys.stderr.flush()
    terminal_fd = os.dup(2)
    os.dup2(log_file.fileno(), 2)
    terminal = os.fdopen(os.dup(terminal_fd), "w", buffering=1)
    try:
        yield terminal
    finally:
        sys.stderr.flush()
        os.dup2(terminal_fd, 2)
        os.close(terminal_fd)
        terminal.close()
        for name, (handlers, propagate, level) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers, logger.propagate, logger.level = handlers, propagate, level


def _cell_label(notebook_path: Path, cell_index: int | None) -> str:
    """'cell 7 (In [5])' from an executed notebook, counting code cells as papermill numbers them."""
    if cell_index is None:
        return "an unknown cell"
    try:
        executed = nbformat.read(notebook_path, as_version=4)
        cell = executed.cells[cell_index]
        count = cell.get("execution_count")
        return f"cell {cell_index}" + (f" (In [{count}])" if count else "")
    except (OSError, IndexError, ValueError):
        return f"cell {cell_index}"


def _running_cell(notebook_path: Path) -> int | None:
    """Index of the code cell that was executing when the run stopped.

    papermill marks an interrupted cell "completed" on its way out, so the cell sought is the last
    code cell that is not still "pending".
    """
    try:
        executed = nbformat.read(notebook_path, as_version=4)
    except (OSError, ValueError):
        return None
    last_started = None
    for index, cell in enumerate(executed.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("metadata", {}).get("papermill", {}).get("status") == "pending":
            break
        last_started = index
    return last_started


def execute_step(
    name: str,
    notebook_path: Path,
    parameters: dict,
    executed_path: Path,
    log_path: Path,
    cwd: Path,
    timeout_s: int,
    progress: bool = True,
) -> nbformat.NotebookNode:
    """Execute one step's notebook with papermill; return the executed notebook.

    The executed notebook is written to `executed_path` as it runs. Any failure raises StepError
    with one line; the partial notebook stays at `executed_path` for the caller to keep.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    notebook = read_notebook(notebook_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log_file, _noise_to(log_file) as terminal:
        check_declared_parameters(notebook, notebook_path, parameters)
        progress_bar = {"desc": f"  {name}", "unit": "cell", "leave": False, "file": terminal} if progress else False
        try:
            return papermill.execute_notebook(
                notebook,
                str(executed_path),
                parameters=parameters,
                kernel_name="python3",
                language="python",
                progress_bar=progress_bar,
                log_output=False,
                stdout_file=log_file,
                stderr_file=log_file,
                start_timeout=120,
                execution_timeout=timeout_s,
                cwd=str(cwd),
            )
        except PapermillExecutionError as err:
            where = _cell_label(executed_path, err.cell_index)
            evalue = str(err.evalue).strip().splitlines()[-1] if str(err.evalue).strip() else ""
            raise StepError(f"{name} failed in {where}: {err.ename}: {evalue}") from err
        except CellTimeoutError as err:
            where = _cell_label(executed_path, _running_cell(executed_path))
            raise StepError(f"{name} failed in {where}: cell ran past the step's time limit of {timeout_s} s") from err
        except DeadKernelError as err:
            where = _cell_label(executed_path, _running_cell(executed_path))
            raise StepError(f"{name} failed in {where}: the kernel died (out of memory?)") from err
        except RuntimeError as err:
            raise StepError(f"{name} failed: the kernel did not start ({err})") from err
        except BaseException:  # Ctrl-C or SIGTERM (as KeyboardInterrupt): papermill may leave the kernel running
            stop_kernels()
            raise


def stop_kernels(timeout_s: float = 5.0) -> list[int]:
    """Kill every Jupyter kernel this process started, with all of its children; return their pids.

    A kernel runs in its own session (jupyter_client starts it so), so a Ctrl-C at the terminal
    never reaches it, and papermill does not always shut it down when interrupted. A kernel whose
    build was killed outright (kill -9) notices on its own: ipykernel polls its parent and exits.
    """
    import signal

    import psutil

    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return []
    kernels = []
    for child in children:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                kernels.append(child)
        except psutil.Error:
            continue
    victims = {p.pid: p for p in kernels}
    for kernel in kernels:
        with contextlib.suppress(psutil.Error):
            victims.update({p.pid: p for p in kernel.children(recursive=True)})
    for process in victims.values():
        with contextlib.suppress(psutil.Error):
            process.send_signal(signal.SIGKILL)
    psutil.wait_procs(list(victims.values()), timeout=timeout_s)
    return sorted(victims)


def clean_kernel_environment(build_root: Path) -> None:
    """Keep Jupyter, Matplotlib, Keras and TensorFlow from writing outside build/ or flooding logs."""
    cache = build_root / ".cache"
    for variable, folder in (
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
        ("KERAS_HOME", "keras"),
        ("XDG_CACHE_HOME", "xdg"),
    ):
        os.environ[variable] = str((cache / folder).resolve())
        (cache / folder).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
