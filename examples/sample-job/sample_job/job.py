"""The job: read CSV records, aggregate them per group, write the result, report metrics.

``run`` returns the exit code instead of exiting so that it can be called from tests;
``main`` is the container entry point.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from datetime import datetime, timezone
from types import FrameType
from typing import Mapping, TextIO

from . import __version__
from .aggregate import Aggregation, aggregate, render, write_atomically
from .config import BatchContext, Config, load_config, secret_values
from .errors import EXIT_DATA_ERROR, EXIT_OK, DataError, JobError, TransientError
from .jsonlog import configure_logging, log_event
from .metrics import Metric, emf_document, emit
from .source import open_input


class Terminated(TransientError):
    """SIGTERM arrived (job terminated, or the Spot instance reclaimed) before the job finished."""


def _on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(f"received signal {signal.Signals(signum).name} before the job finished")


def _emit_metrics(
    config: Config, context: BatchContext, result: Aggregation, duration_ms: float, outcome: str, stream: TextIO
) -> None:
    document = emf_document(
        namespace=config.metrics_namespace,
        dimensions={"JobName": config.job_name, "JobQueue": context.job_queue},
        dimension_sets=[["JobName"], ["JobName", "JobQueue"]],
        metrics=[
            Metric("RecordsProcessed", result.records_accepted, "Count"),
            Metric("RecordsRejected", result.records_rejected, "Count"),
            Metric("Duration", round(duration_ms, 3), "Milliseconds"),
        ],
        properties={
            "event": "job_metrics",
            "outcome": outcome,
            "job_id": context.job_id,
            "job_attempt": context.job_attempt,
        },
    )
    emit(document, stream)


def run(environ: Mapping[str, str], stream: TextIO) -> int:
    """Run the job with the given environment, logging to ``stream``; return the exit code."""
    started = time.monotonic()
    context = BatchContext.from_env(environ)
    logger = configure_logging(context, secret_values(environ), "INFO", stream)
    log_event(logger, logging.INFO, "job_started", "sample job started", version=__version__)

    try:
        config = load_config(environ)
    except JobError as error:
        log_event(logger, logging.ERROR, "job_failed", f"configuration error: {error}",
                  error_kind=error.kind, exit_code=error.exit_code,
                  problems=getattr(error, "problems", [str(error)]))
        return error.exit_code

    logger.setLevel(config.log_level)
    log_event(logger, logging.INFO, "config_loaded", "configuration loaded", config=config.describe())

    result: Aggregation | None = None
    try:
        log_event(logger, logging.INFO, "input_opening", "reading input", input=config.describe()["input"])
        with open_input(config) as text:
            result = aggregate(text, config.group_by, config.value_column)

        for reject in result.rejects:
            log_event(logger, logging.WARNING, "record_rejected", f"line {reject.line}: {reject.reason}",
                      line=reject.line, reason=reject.reason)
        if result.records_rejected > config.max_rejected_rows:
            raise DataError(
                f"{result.records_rejected} of {result.records_read} records were rejected, "
                f"more than MAX_REJECTED_ROWS={config.max_rejected_rows}"
            )
        if result.records_read == 0:
            log_event(logger, logging.WARNING, "input_empty", "input has a header but no records")

        content = render(
            result,
            config.output_format,
            {
                "job_id": context.job_id,
                "job_attempt": context.job_attempt,
                "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            },
        )
        write_atomically(config.output_path, content)
    except JobError as error:
        duration_ms = (time.monotonic() - started) * 1000
        if result is not None:
            _emit_metrics(config, context, result, duration_ms, error.kind, stream)
        log_event(logger, logging.ERROR, "job_failed", str(error),
                  error_kind=error.kind, exit_code=error.exit_code,
                  retryable=isinstance(error, TransientError), duration_ms=round(duration_ms, 3))
        return error.exit_code
    except Exception as error:  # a bug: report it as an application error, not retried
        duration_ms = (time.monotonic() - started) * 1000
        logger.error(
            f"unexpected {type(error).__name__}",
            exc_info=True,
            extra={"fields": {"event": "job_failed", "error_kind": "application",
                              "exit_code": EXIT_DATA_ERROR, "retryable": False}},
        )
        return EXIT_DATA_ERROR

    duration_ms = (time.monotonic() - started) * 1000
    _emit_metrics(config, context, result, duration_ms, "success", stream)
    log_event(logger, logging.INFO, "job_finished", "sample job finished",
              records_processed=result.records_accepted, records_rejected=result.records_rejected,
              groups=len(result.groups), output_path=str(config.output_path),
              duration_ms=round(duration_ms, 3), exit_code=EXIT_OK)
    return EXIT_OK


def main() -> None:
    """Container entry point."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = run(os.environ, sys.stdout)
    except JobError as error:  # a signal that arrived outside the guarded part of run()
        code = error.exit_code
    sys.exit(code)
