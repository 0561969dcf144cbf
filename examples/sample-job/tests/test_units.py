"""In-process tests of the job's modules."""

from __future__ import annotations

import io
import json
import logging
import unittest
from decimal import Decimal

from sample_job.aggregate import aggregate, render
from sample_job.config import BatchContext, display_location, load_config
from sample_job.errors import EXIT_CONFIG, EXIT_DATA_ERROR, EXIT_TEMPFAIL, ConfigError, DataError
from sample_job.jsonlog import REDACTED, configure_logging, log_event
from sample_job.metrics import Metric, emf_document


class AggregateTest(unittest.TestCase):
    def test_sums_are_exact_decimals(self) -> None:
        result = aggregate(io.StringIO("category,amount\na,0.1\na,0.2\n"), "category", "amount")

        self.assertEqual(result.groups["a"].total, Decimal("0.3"))
        self.assertEqual(result.summary_rows()[0]["sum"], 0.3)

    def test_skips_blank_lines_and_counts_rejects_with_line_numbers(self) -> None:
        text = "category,amount\na,1\n\n,2\nb,abc\nb,3\n"
        result = aggregate(io.StringIO(text), "category", "amount")

        self.assertEqual(result.records_accepted, 2)
        self.assertEqual(result.records_rejected, 2)
        self.assertEqual([(r.line, r.reason) for r in result.rejects],
                         [(4, "empty 'category'"), (5, "'amount' is not a number")])

    def test_header_names_are_trimmed_and_columns_found_in_any_order(self) -> None:
        result = aggregate(io.StringIO(" amount , category \n5,x\n"), "category", "amount")

        self.assertEqual(result.groups["x"].count, 1)

    def test_missing_column_error_names_the_columns_found(self) -> None:
        with self.assertRaises(DataError) as caught:
            aggregate(io.StringIO("name,price\nx,1\n"), "category", "amount")

        self.assertIn("no column 'category', 'amount' (found columns: 'name', 'price')", str(caught.exception))

    def test_render_json_and_csv(self) -> None:
        result = aggregate(io.StringIO("category,amount\nb,2\na,1\na,2\n"), "category", "amount")

        document = json.loads(render(result, "json", {"job_id": "j"}))
        self.assertEqual([g["key"] for g in document["groups"]], ["a", "b"])
        self.assertEqual(document["groups"][0]["mean"], 1.5)
        self.assertEqual(render(result, "csv", {}), "key,count,sum,min,max,mean\na,2,3,1,2,1.5\nb,1,2,2,2,2\n")


class ConfigTest(unittest.TestCase):
    def test_defaults(self) -> None:
        config = load_config({"INPUT_PATH": "/data/in.csv", "OUTPUT_PATH": "/data/out.json"})

        self.assertEqual(config.output_format, "json")
        self.assertEqual((config.group_by, config.value_column), ("category", "amount"))
        self.assertEqual(config.max_rejected_rows, 0)
        self.assertEqual(config.metrics_namespace, "BatchMigration/SampleJob")
        self.assertIsNone(config.input_auth_token)

    def test_token_is_not_in_the_repr(self) -> None:
        config = load_config({"INPUT_PATH": "/in.csv", "OUTPUT_PATH": "/out.json", "INPUT_AUTH_TOKEN": "s3cr3t-value"})

        self.assertEqual(config.input_auth_token, "s3cr3t-value")
        self.assertNotIn("s3cr3t-value", repr(config))
        self.assertNotIn("s3cr3t-value", json.dumps(config.describe()))

    def test_group_by_and_value_column_must_differ(self) -> None:
        with self.assertRaises(ConfigError) as caught:
            load_config({"INPUT_PATH": "/in.csv", "OUTPUT_PATH": "/o.json", "GROUP_BY": "x", "VALUE_COLUMN": "x"})

        self.assertEqual(caught.exception.problems, ["GROUP_BY and VALUE_COLUMN must differ (both are 'x')"])

    def test_display_location_drops_credentials_and_query(self) -> None:
        self.assertEqual(
            display_location("https://user:pw@bucket.s3.amazonaws.com:443/a/b.csv?X-Amz-Signature=abc#frag"),
            "https://bucket.s3.amazonaws.com:443/a/b.csv",
        )
        self.assertEqual(display_location("/mnt/efs/in.csv"), "/mnt/efs/in.csv")

    def test_batch_context_defaults_outside_batch(self) -> None:
        self.assertEqual(BatchContext.from_env({}), BatchContext("local", 1, "local"))

    def test_exit_codes_follow_sysexits(self) -> None:
        self.assertEqual((EXIT_DATA_ERROR, EXIT_TEMPFAIL, EXIT_CONFIG), (1, 75, 78))


class LoggingTest(unittest.TestCase):
    def test_secret_is_redacted_from_message_fields_and_exceptions(self) -> None:
        stream = io.StringIO()
        secret = 'pa"ss\\word-9z'
        logger = configure_logging(BatchContext("job-1", 1, "q"), [secret], "DEBUG", stream)
        log_event(logger, logging.INFO, "e1", f"message with {secret}", detail={"nested": secret})
        try:
            raise RuntimeError(f"failure {secret}")
        except RuntimeError:
            logger.exception("boom")

        output = stream.getvalue()
        self.assertNotIn(secret, output)
        self.assertNotIn(json.dumps(secret)[1:-1], output)
        lines = [json.loads(line) for line in output.splitlines()]
        self.assertEqual(lines[0]["message"], f"message with {REDACTED}")
        self.assertEqual(lines[0]["detail"], {"nested": REDACTED})
        self.assertIn(REDACTED, lines[1]["exception"])


class EmfTest(unittest.TestCase):
    def test_document_layout(self) -> None:
        document = emf_document(
            "Ns", {"JobName": "j"}, [["JobName"]], [Metric("Records", 3, "Count")], {"job_id": "x"}, 1700000000000
        )

        self.assertEqual(
            document,
            {
                "job_id": "x",
                "JobName": "j",
                "Records": 3,
                "_aws": {
                    "Timestamp": 1700000000000,
                    "CloudWatchMetrics": [
                        {"Namespace": "Ns", "Dimensions": [["JobName"]], "Metrics": [{"Name": "Records", "Unit": "Count"}]}
                    ],
                },
            },
        )

    def test_rejects_what_cloudwatch_would_drop(self) -> None:
        cases = {
            "unknown unit": ({"D": "v"}, [["D"]], [Metric("M", 1, "Rows")], "unit 'Rows'"),
            "dimension without value": ({}, [["D"]], [Metric("M", 1)], "dimension 'D'"),
            "too many dimensions": (
                {f"D{i}": "v" for i in range(10)}, [[f"D{i}" for i in range(10)]], [Metric("M", 1)], "at most 9"
            ),
            "no metrics": ({"D": "v"}, [["D"]], [], "1 to 100 metrics"),
        }
        for name, (dimensions, sets, metrics, expected) in cases.items():
            with self.subTest(name):
                with self.assertRaises(ValueError) as caught:
                    emf_document("Ns", dimensions, sets, metrics)
                self.assertIn(expected, str(caught.exception))


if __name__ == "__main__":
    unittest.main()
