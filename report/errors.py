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
