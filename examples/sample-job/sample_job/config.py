"""Configuration from environment variables.

Every setting comes from the environment so that the same image runs on a laptop, in CI and
in AWS Batch, where the job definition's ``environment`` sets plain values and its
``secrets`` (``valueFrom`` a Secrets Manager ARN) injects the secret ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError

#: Environment variables whose values are secrets. They are never logged: the log formatter
#: replaces their values wherever they appear, and ``Config.describe()`` reports only
#: whether each one is set.
SECRET_VARIABLES = ("INPUT_AUTH_TOKEN",)

OUTPUT_FORMATS = ("json", "csv")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
INPUT_SCHEMES = ("", "file", "http", "https")

DEFAULTS = {
    "OUTPUT_FORMAT": "json",
    "GROUP_BY": "category",
    "VALUE_COLUMN": "amount",
    "MAX_REJECTED_ROWS": "0",
    "INPUT_TIMEOUT_SECONDS": "30",
    "JOB_NAME": "sample-job",
    "METRICS_NAMESPACE": "BatchMigration/SampleJob",
    "LOG_LEVEL": "INFO",
}

_NAMESPACE_RE = re.compile(r"^[A-Za-z0-9._/#:-]{1,255}$")


@dataclass(frozen=True)
class BatchContext:
    """Identity of the running attempt, from the variables AWS Batch sets in every container."""

    job_id: str
    job_attempt: int
    job_queue: str

    @staticmethod
    def from_env(environ: Mapping[str, str]) -> "BatchContext":
        attempt_text = environ.get("AWS_BATCH_JOB_ATTEMPT", "1")
        try:
            attempt = int(attempt_text)
        except ValueError:
            attempt = 0
        return BatchContext(
            job_id=environ.get("AWS_BATCH_JOB_ID") or "local",
            job_attempt=attempt,
            job_queue=environ.get("AWS_BATCH_JQ_NAME") or "local",
        )


@dataclass(frozen=True)
class Config:
    """Validated settings for one run."""

    input_location: str
    output_path: Path
    output_format: str
    group_by: str
    value_column: str
    max_rejected_rows: int
    input_timeout_seconds: float
    job_name: str
    metrics_namespace: str
    log_level: str
    # repr=False keeps the token out of any repr() of the config (tracebacks, debuggers).
    input_auth_token: str | None = field(default=None, repr=False)

    @property
    def input_is_url(self) -> bool:
        return urlsplit(self.input_location).scheme in ("http", "https")

    def describe(self) -> dict[str, object]:
        """Settings safe to log: secrets reduced to set/unset, URLs without query or credentials."""
        return {
            "input": display_location(self.input_location),
            "output_path": str(self.output_path),
            "output_format": self.output_format,
            "group_by": self.group_by,
            "value_column": self.value_column,
            "max_rejected_rows": self.max_rejected_rows,
            "input_timeout_seconds": self.input_timeout_seconds,
            "job_name": self.job_name,
            "metrics_namespace": self.metrics_namespace,
            "log_level": self.log_level,
            "secrets": {"INPUT_AUTH_TOKEN": "set" if self.input_auth_token else "unset"},
        }


def display_location(location: str) -> str:
    """The input location without user info, query string or fragment.

    A presigned S3 URL carries its signature in the query string, and a URL may carry a
    password in its user info: neither belongs in a log line.
    """
    parts = urlsplit(location)
    if parts.scheme in ("http", "https"):
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    return location


def secret_values(environ: Mapping[str, str]) -> list[str]:
    """Values of the secret variables that are set, for log redaction."""
    return [environ[name] for name in SECRET_VARIABLES if environ.get(name)]


def load_config(environ: Mapping[str, str]) -> Config:
    """Read and validate the settings; raise ConfigError naming every problem found."""
    problems: list[str] = []

    def get(name: str) -> str:
        return (environ.get(name) or DEFAULTS.get(name, "")).strip()

    input_location = get("INPUT_PATH")
    if not input_location:
        problems.append(
            "INPUT_PATH is required: a file path, a file:// URL or an http(s):// URL (found nothing)"
        )
    else:
        scheme = urlsplit(input_location).scheme.lower()
        # A Windows drive letter is not a scheme, but this image runs on Linux only.
        if scheme not in INPUT_SCHEMES:
            problems.append(
                f"INPUT_PATH must be a file path or a file, http or https URL (found scheme {scheme!r}); "
                "for S3 pass a presigned https URL or mount the data into the container"
            )

    output_text = get("OUTPUT_PATH")
    if not output_text:
        problems.append("OUTPUT_PATH is required: the file the result is written to (found nothing)")

    output_format = get("OUTPUT_FORMAT").lower()
    if output_format not in OUTPUT_FORMATS:
        problems.append(f"OUTPUT_FORMAT must be one of {', '.join(OUTPUT_FORMATS)} (found {output_format!r})")

    group_by = get("GROUP_BY")
    value_column = get("VALUE_COLUMN")
    if not group_by:
        problems.append("GROUP_BY must name a CSV column (found an empty value)")
    if not value_column:
        problems.append("VALUE_COLUMN must name a CSV column (found an empty value)")
    if group_by and group_by == value_column:
        problems.append(f"GROUP_BY and VALUE_COLUMN must differ (both are {group_by!r})")

    max_rejected_rows = 0
    max_text = get("MAX_REJECTED_ROWS")
    try:
        max_rejected_rows = int(max_text)
        if max_rejected_rows < 0:
            raise ValueError
    except ValueError:
        problems.append(f"MAX_REJECTED_ROWS must be a whole number >= 0 (found {max_text!r})")

    timeout = 0.0
    timeout_text = get("INPUT_TIMEOUT_SECONDS")
    try:
        timeout = float(timeout_text)
        if not math.isfinite(timeout) or timeout <= 0:
            raise ValueError
    except ValueError:
        problems.append(f"INPUT_TIMEOUT_SECONDS must be a number of seconds > 0 (found {timeout_text!r})")

    namespace = get("METRICS_NAMESPACE")
    if not _NAMESPACE_RE.match(namespace) or namespace.startswith("AWS/"):
        problems.append(
            "METRICS_NAMESPACE must be 1-255 characters of letters, digits and . _ / # : - "
            f"and must not start with 'AWS/' (found {namespace!r})"
        )

    job_name = get("JOB_NAME")
    if not job_name:
        problems.append("JOB_NAME must not be empty")

    log_level = get("LOG_LEVEL").upper()
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (found {log_level!r})")

    token = environ.get("INPUT_AUTH_TOKEN") or None
    if token is not None and (token != token.strip() or "\n" in token):
        # A trailing newline often sneaks in when a secret is created from a file.
        problems.append("INPUT_AUTH_TOKEN must not have leading or trailing whitespace (value not shown)")

    if problems:
        raise ConfigError(problems)

    return Config(
        input_location=input_location,
        output_path=Path(output_text),
        output_format=output_format,
        group_by=group_by,
        value_column=value_column,
        max_rejected_rows=max_rejected_rows,
        input_timeout_seconds=timeout,
        job_name=job_name,
        metrics_namespace=namespace,
        log_level=log_level,
        input_auth_token=token,
    )
