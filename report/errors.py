"""The one error type users see: bad input or data, shown as a single line."""


class ReportError(Exception):
    """Bad input, data or a failed step: shown as one line, never as a traceback."""


class ParameterError(ReportError):
    """A parameter file that does not validate; the message names file and key."""


class DataError(ReportError):
    """A data source that cannot be read; the message names the path or item."""


class StepError(ReportError):
    """A pipeline step whose notebook failed; the message names step, cell and cause."""


class BuildInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a build; `where` names the step or phase, `resume` what reruns next."""

    def __init__(self, where: str, resume: str):
        super().__init__(where)
        self.where = where
        self.resume = resume


SIGNALS_RECEIVED: list[str] = []  # names of the signals that asked this build to stop, in order (the command line's handlers)


def raise_if_signalled() -> None:
    """Stop here if a signal arrived whose KeyboardInterrupt a library swallowed.

    Python runs a signal handler wherever the main thread happens to be; when that is inside a
    `__del__` or a callback, the KeyboardInterrupt is printed as "ignored" and the build would go
    on. The handlers record every signal first, so the pipeline checks this list at step boundaries.
    """
    if SIGNALS_RECEIVED:
        raise KeyboardInterrupt(SIGNALS_RECEIVED[0])
