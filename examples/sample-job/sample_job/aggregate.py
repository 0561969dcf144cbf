"""Aggregation of CSV records per group, and the result writers.

Amounts are summed as ``Decimal`` so that totals of money-like values are exact; they are
converted to JSON numbers only when written.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from .errors import ConfigError, DataError, TransientError

#: How many rejected rows are described in the log; the rest are only counted.
MAX_REJECTS_KEPT = 20


@dataclass
class GroupStats:
    count: int = 0
    total: Decimal = Decimal(0)
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def add(self, value: Decimal) -> None:
        self.count += 1
        self.total += value
        self.minimum = value if self.minimum is None else min(self.minimum, value)
        self.maximum = value if self.maximum is None else max(self.maximum, value)


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str


@dataclass
class Aggregation:
    group_by: str
    value_column: str
    groups: dict[str, GroupStats] = field(default_factory=dict)
    records_accepted: int = 0
    records_rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)

    @property
    def records_read(self) -> int:
        return self.records_accepted + self.records_rejected

    def reject(self, line: int, reason: str) -> None:
        self.records_rejected += 1
        if len(self.rejects) < MAX_REJECTS_KEPT:
            self.rejects.append(Reject(line, reason))

    def summary_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for key in sorted(self.groups):
            stats = self.groups[key]
            rows.append(
                {
                    "key": key,
                    "count": stats.count,
                    "sum": _number(stats.total),
                    "min": _number(stats.minimum),
                    "max": _number(stats.maximum),
                    "mean": _number(stats.total / stats.count),
                }
            )
        return rows


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def aggregate(text: TextIO, group_by: str, value_column: str) -> Aggregation:
    """Read CSV records from ``text`` and aggregate ``value_column`` per ``group_by``.

    A header naming both columns is required (``DataError`` otherwise). Rows with an empty
    group, a value that is not a finite decimal number, or a wrong number of fields are
    rejected and counted; the caller decides how many rejects are tolerable.
    """
    result = Aggregation(group_by=group_by, value_column=value_column)
    reader = csv.reader(text, strict=True)
    try:
        try:
            header = next(reader)
        except StopIteration:
            raise DataError("input is empty: a header line naming the columns is required") from None
        columns = [name.strip() for name in header]
        missing = [name for name in (group_by, value_column) if name not in columns]
        if missing:
            raise DataError(
                f"input has no column {', '.join(repr(m) for m in missing)} "
                f"(found columns: {', '.join(repr(c) for c in columns)}); set GROUP_BY / VALUE_COLUMN or fix the file"
            )
        group_index = columns.index(group_by)
        value_index = columns.index(value_column)

        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                result.reject(line, f"expected {len(columns)} fields, found {len(row)}")
                continue
            key = row[group_index].strip()
            if not key:
                result.reject(line, f"empty {group_by!r}")
                continue
            raw_value = row[value_index].strip()
            try:
                value = Decimal(raw_value)
            except InvalidOperation:
                result.reject(line, f"{value_column!r} is not a number")
                continue
            if not value.is_finite():
                result.reject(line, f"{value_column!r} is not a finite number")
                continue
            result.groups.setdefault(key, GroupStats()).add(value)
            result.records_accepted += 1
    except csv.Error as error:
        raise DataError(f"input is not valid CSV at line {reader.line_num}: {error}") from None
    except UnicodeDecodeError as error:
        raise DataError(f"input is not UTF-8 text (byte offset {error.start})") from None
    return result


def render(result: Aggregation, output_format: str, metadata: dict[str, object]) -> str:
    """The result document as text, in ``json`` or ``csv``."""
    if output_format == "json":
        document = {
            **metadata,
            "group_by": result.group_by,
            "value_column": result.value_column,
            "records_processed": result.records_accepted,
            "records_rejected": result.records_rejected,
            "groups": result.summary_rows(),
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        lines: list[str] = []

        class _Sink:
            def write(self, chunk: str) -> None:
                lines.append(chunk)

        writer = csv.DictWriter(_Sink(), fieldnames=["key", "count", "sum", "min", "max", "mean"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(result.summary_rows())
        return "".join(lines)
    raise ValueError(f"unknown output format {output_format!r}")


def write_atomically(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder.

    A reader never sees a half-written result, and a failed attempt leaves no partial file
    for the next attempt to trip over.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except PermissionError as error:
        raise ConfigError(
            f"OUTPUT_PATH {path} is not writable by this user (uid {os.getuid()}): {error.strerror}"
        ) from None
    except OSError as error:
        raise TransientError(f"cannot create the output next to {path}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except IsADirectoryError:
        _remove_quietly(temp_name)
        raise ConfigError(f"OUTPUT_PATH {path} is a directory; give a file name") from None
    except OSError as error:
        _remove_quietly(temp_name)
        raise TransientError(f"cannot write the output {path}: {error.strerror}") from None


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass

