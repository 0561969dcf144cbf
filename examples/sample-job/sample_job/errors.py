"""Exit codes and the exceptions that map to them.

The codes line up with the job definition's retry strategy:

* ``EXIT_OK`` (0): success.
* ``EXIT_DATA_ERROR`` (1): the input is malformed or the job has a bug. Retrying cannot help,
  so the retry strategy's catch-all ``EXIT`` rule ends the job.
* ``EXIT_TEMPFAIL`` (75, ``EX_TEMPFAIL`` from sysexits.h): an input or dependency was not
  reachable. The retry strategy lists 75 under ``RETRY``.
* ``EXIT_CONFIG`` (78, ``EX_CONFIG`` from sysexits.h): the environment is missing or has an
  invalid setting. Not retried; the job definition or the secret has to be fixed.
"""

EXIT_OK = 0
EXIT_DATA_ERROR = 1
EXIT_TEMPFAIL = 75
EXIT_CONFIG = 78


class JobError(Exception):
    """Base class for failures that end the job with a known exit code."""

    exit_code = EXIT_DATA_ERROR
    kind = "application"


class DataError(JobError):
    """The input was read but its content is not acceptable (application/data error)."""

    exit_code = EXIT_DATA_ERROR
    kind = "data"


class TransientError(JobError):
    """An input or dependency could not be reached; a later attempt may succeed."""

    exit_code = EXIT_TEMPFAIL
    kind = "transient"


class ConfigError(JobError):
    """A setting is missing or invalid; fix the job definition before running again."""

    exit_code = EXIT_CONFIG
    kind = "config"

    def __init__(self, problems: "list[str] | str") -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))
