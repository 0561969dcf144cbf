"""Custom CloudWatch metrics as Embedded Metric Format (EMF) log lines.

CloudWatch Logs extracts metrics from any log event that is an EMF document, so a job
publishes metrics by printing one JSON line: no SDK, no ``cloudwatch:PutMetricData``
permission, no network call that could fail the job. The document layout follows the EMF
specification:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

Dimensions are kept low-cardinality (job name, queue). The job id and attempt are included
as plain properties: they are searchable in Logs Insights but create no extra metrics.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Mapping, Sequence, TextIO

# Units CloudWatch accepts (MetricDatum.Unit).
UNITS = frozenset(
    {
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
        "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
        "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
        "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
        "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    }
)

MAX_DIMENSIONS_PER_SET = 9
MAX_METRICS_PER_DIRECTIVE = 100


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str = "None"


def emf_document(
    namespace: str,
    dimensions: Mapping[str, str],
    dimension_sets: Sequence[Sequence[str]],
    metrics: Sequence[Metric],
    properties: Mapping[str, object] | None = None,
    timestamp_ms: int | None = None,
) -> dict[str, object]:
    """Build one EMF document.

    ``dimensions`` holds the dimension values; ``dimension_sets`` lists which combinations of
    them become metrics (each set creates its own metric per name). ``properties`` are extra
    root members that are logged but not turned into metrics.
    """
    if not metrics or len(metrics) > MAX_METRICS_PER_DIRECTIVE:
        raise ValueError(f"an EMF directive needs 1 to {MAX_METRICS_PER_DIRECTIVE} metrics (found {len(metrics)})")
    for dimension_set in dimension_sets:
        if len(dimension_set) > MAX_DIMENSIONS_PER_SET:
            raise ValueError(
                f"an EMF dimension set has at most {MAX_DIMENSIONS_PER_SET} keys (found {len(dimension_set)})"
            )
        for key in dimension_set:
            if key not in dimensions:
                raise ValueError(f"dimension {key!r} is used in a dimension set but has no value")
    for metric in metrics:
        if metric.unit not in UNITS:
            raise ValueError(f"metric {metric.name!r} has unit {metric.unit!r}, which CloudWatch does not accept")
        if metric.name in dimensions:
            raise ValueError(f"metric {metric.name!r} has the same name as a dimension")

    document: dict[str, object] = dict(properties or {})
    document.update({key: str(value) for key, value in dimensions.items()})
    document.update({metric.name: metric.value for metric in metrics})
    document["_aws"] = {
        "Timestamp": int(time.time() * 1000) if timestamp_ms is None else timestamp_ms,
        "CloudWatchMetrics": [
            {
                "Namespace": namespace,
                "Dimensions": [list(dimension_set) for dimension_set in dimension_sets],
                "Metrics": [{"Name": metric.name, "Unit": metric.unit} for metric in metrics],
            }
        ],
    }
    return document


def emit(document: Mapping[str, object], stream: TextIO) -> None:
    """Write the document as a single line, which becomes a single CloudWatch Logs event."""
    stream.write(json.dumps(document, separators=(",", ":")) + "\n")
    stream.flush()
