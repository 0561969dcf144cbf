"""Structured JSON logging: one JSON object per line on standard output.

With the ``awslogs`` log driver each line becomes one CloudWatch Logs event, which Logs
Insights can filter on (``filter event = "job_finished" and job_id = "..."``). Every line
carries the Batch job id, attempt and queue so that the lines of one attempt can be found
among all runs of the job.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Iterable, TextIO

from .config import BatchContext

LOGGER_NAME = "sample_job"
REDACTED = "[REDACTED]"


class JsonFormatter(logging.Formatter):
    """Formats a record as a single JSON line and removes secret values from it.

    Redaction works on the final text, so a secret is removed wherever it ends up: in a
    message, in an exception text or in an extra field.
    """

    def __init__(self, context: BatchContext, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.context = context
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "job_id": self.context.job_id,
            "job_attempt": self.context.job_attempt,
            "job_queue": self.context.job_queue,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                entry.setdefault(key, value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(entry, default=str, ensure_ascii=False))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
            # The JSON-escaped form differs when the secret holds quotes, backslashes or
            # non-ASCII characters.
            escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
            if escaped != secret:
                text = text.replace(escaped, REDACTED)
        return text


def configure_logging(
    context: BatchContext,
    secrets: Iterable[str] = (),
    level: str = "INFO",
    stream: TextIO | None = None,
) -> logging.Logger:
    """Send the job's logger to ``stream`` (standard output by default) as JSON lines."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(JsonFormatter(context, secrets))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


def log_event(logger: logging.Logger, level: int, event: str, message: str, **fields: object) -> None:
    """Log ``message`` with a machine-readable ``event`` name and extra fields."""
    logger.log(level, message, extra={"fields": {"event": event, **fields}})
