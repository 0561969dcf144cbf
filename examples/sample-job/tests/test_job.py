"""End-to-end tests: the job runs as a process, as it does in its container."""

from __future__ import annotations

import csv
import json
import signal
import threading
import time

from tests.support import GOOD_CSV, JobTestCase, Route, closed_port, run_job, start_job

SECRET = "tok-3f9a-NEVER-LOG-ME-71c2"
SIGNATURE = "sig-5d1e-NEVER-LOG-ME-9b08"

CLOUDWATCH_UNITS = {
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
    "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}


class SuccessTest(JobTestCase):
    def test_aggregates_csv_into_json_and_exits_0(self) -> None:
        env = self.base_env(self.write_input(GOOD_CSV))
        result = run_job(env)

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        document = json.loads((self.tmp / "out/result.json").read_text(encoding="utf-8"))
        self.assertEqual(document["records_processed"], 3)
        self.assertEqual(document["records_rejected"], 0)
        self.assertEqual(document["job_id"], env["AWS_BATCH_JOB_ID"])
        self.assertEqual(
            document["groups"],
            [
                {"key": "books", "count": 2, "sum": 20, "min": 7.5, "max": 12.5, "mean": 10},
                {"key": "games", "count": 1, "sum": 30, "min": 30, "max": 30, "mean": 30},
            ],
        )
        finished = result.events("job_finished")
        self.assertEqual(len(finished), 1)
        self.assertEqual(finished[0]["exit_code"], 0)
        self.assertEqual(result.stderr, "")

    def test_every_log_line_is_json_with_the_batch_job_identity(self) -> None:
        env = self.base_env(self.write_input(GOOD_CSV))
        result = run_job(env)

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        log_lines = [line for line in result.lines if "_aws" not in line]
        self.assertGreaterEqual(len(log_lines), 3)
        for line in log_lines:
            self.assertEqual(line["job_id"], env["AWS_BATCH_JOB_ID"])
            self.assertEqual(line["job_attempt"], 2)
            self.assertEqual(line["job_queue"], "batch-migration-dev-default")
            self.assertIn(line["level"], {"DEBUG", "INFO", "WARNING", "ERROR"})
            self.assertRegex(line["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")

    def test_writes_csv_when_asked(self) -> None:
        env = self.base_env(self.write_input(GOOD_CSV), "out/result.csv", OUTPUT_FORMAT="csv")
        result = run_job(env)

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(self.tmp / "out/result.csv", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        self.assertEqual([row["key"] for row in rows], ["books", "games"])
        self.assertEqual(rows[0]["sum"], "20")

    def test_rejected_rows_within_max_rejected_rows_still_succeed(self) -> None:
        content = GOOD_CSV + "toys,not-a-number,x\n"
        result = run_job(self.base_env(self.write_input(content), MAX_REJECTED_ROWS="1"))

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        rejected = result.events("record_rejected")
        self.assertEqual([(r["line"], r["reason"]) for r in rejected], [(5, "'amount' is not a number")])

    def test_reads_input_over_http_with_the_bearer_token(self) -> None:
        server = self.start_server({"/exports/today.csv": Route(body=GOOD_CSV.encode(), required_token=SECRET)})
        url = server.url(f"/exports/today.csv?X-Amz-Signature={SIGNATURE}")
        result = run_job(self.base_env(url, INPUT_AUTH_TOKEN=SECRET))

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(server.requests[0]["authorization"], f"Bearer {SECRET}")
        self.assertEqual(json.loads((self.tmp / "out/result.json").read_text())["records_processed"], 3)


class DataErrorTest(JobTestCase):
    def test_bad_data_exits_1_without_writing_output(self) -> None:
        cases = {
            "value not a number": GOOD_CSV + "toys,twelve,x\n",
            "missing column": "category,price\nbooks,1\n",
            "empty file": "",
            "wrong field count": GOOD_CSV + "toys,1\n",
            "unterminated quote": GOOD_CSV + 'toys,"1\n',
            "not a finite number": GOOD_CSV + "toys,NaN,x\n",
        }
        for name, content in cases.items():
            with self.subTest(name):
                output = f"out/{name.replace(' ', '-')}.json"
                result = run_job(self.base_env(self.write_input(content), output))
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                failed = result.events("job_failed")
                self.assertEqual(len(failed), 1)
                self.assertEqual(failed[0]["error_kind"], "data")
                self.assertFalse(failed[0]["retryable"])
                self.assertFalse((self.tmp / output).exists())
                self.assertEqual(list((self.tmp / "out").glob("*.tmp")) if (self.tmp / "out").exists() else [], [])

    def test_input_that_is_not_utf8_exits_1(self) -> None:
        result = run_job(self.base_env(self.write_input("category,amount\ncafé,1\n".encode("latin-1"))))

        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("not UTF-8", result.events("job_failed")[0]["message"])

    def test_bad_data_still_reports_metrics(self) -> None:
        result = run_job(self.base_env(self.write_input(GOOD_CSV + "toys,twelve,x\n")))

        self.assertEqual(result.returncode, 1)
        [metrics] = result.emf
        self.assertEqual(metrics["outcome"], "data")
        self.assertEqual(metrics["RecordsProcessed"], 3)
        self.assertEqual(metrics["RecordsRejected"], 1)


class TransientErrorTest(JobTestCase):
    def assert_transient(self, result) -> None:
        self.assertEqual(result.returncode, 75, result.stdout + result.stderr)
        failed = result.events("job_failed")
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["error_kind"], "transient")
        self.assertTrue(failed[0]["retryable"])

    def test_missing_input_file_exits_75(self) -> None:
        self.assert_transient(run_job(self.base_env(self.tmp / "not-there-yet.csv")))

    def test_refused_connection_exits_75(self) -> None:
        self.assert_transient(run_job(self.base_env(f"http://127.0.0.1:{closed_port()}/input.csv")))

    def test_server_errors_and_throttling_exit_75(self) -> None:
        server = self.start_server({"/503.csv": Route(status=503), "/429.csv": Route(status=429)})
        for path in ("/503.csv", "/429.csv"):
            with self.subTest(path):
                self.assert_transient(run_job(self.base_env(server.url(path))))

    def test_timeout_exits_75(self) -> None:
        hold = threading.Event()
        server = self.start_server({"/slow.csv": Route(body=GOOD_CSV.encode(), hold=hold)})
        result = run_job(self.base_env(server.url("/slow.csv"), INPUT_TIMEOUT_SECONDS="0.5"))
        hold.set()
        self.assert_transient(result)

    def test_sigterm_exits_75(self) -> None:
        hold = threading.Event()
        server = self.start_server({"/slow.csv": Route(body=GOOD_CSV.encode(), hold=hold)})
        process = start_job(self.base_env(server.url("/slow.csv"), INPUT_TIMEOUT_SECONDS="20"))
        try:
            self.assertTrue(server.request_seen.wait(timeout=15), "the job never requested its input")
            time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=15)
        finally:
            hold.set()
            if process.poll() is None:
                process.kill()
                process.communicate()
        self.assertEqual(process.returncode, 75, stdout + stderr)
        self.assertIn("SIGTERM", stdout)


class ConfigErrorTest(JobTestCase):
    def test_missing_configuration_exits_78_naming_every_missing_variable(self) -> None:
        result = run_job({"AWS_BATCH_JOB_ID": "job-1"})

        self.assertEqual(result.returncode, 78, result.stdout + result.stderr)
        [failed] = result.events("job_failed")
        self.assertEqual(failed["error_kind"], "config")
        self.assertEqual(len(failed["problems"]), 2)
        self.assertTrue(failed["problems"][0].startswith("INPUT_PATH is required"))
        self.assertTrue(failed["problems"][1].startswith("OUTPUT_PATH is required"))

    def test_invalid_values_exit_78(self) -> None:
        input_path = self.write_input(GOOD_CSV)
        cases = {
            "OUTPUT_FORMAT": ("xml", "OUTPUT_FORMAT must be one of json, csv (found 'xml')"),
            "MAX_REJECTED_ROWS": ("-1", "MAX_REJECTED_ROWS must be a whole number >= 0 (found '-1')"),
            "INPUT_TIMEOUT_SECONDS": ("0", "INPUT_TIMEOUT_SECONDS must be a number of seconds > 0 (found '0')"),
            "LOG_LEVEL": ("LOUD", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR (found 'LOUD')"),
            "METRICS_NAMESPACE": ("AWS/Batch", "must not start with 'AWS/'"),
            "INPUT_PATH": ("s3://bucket/key.csv", "found scheme 's3'"),
        }
        for variable, (value, expected) in cases.items():
            with self.subTest(variable):
                result = run_job({**self.base_env(input_path), variable: value})
                self.assertEqual(result.returncode, 78, result.stdout + result.stderr)
                [failed] = result.events("job_failed")
                self.assertEqual(len(failed["problems"]), 1)
                self.assertIn(expected, failed["problems"][0])

    def test_rejected_credentials_exit_78(self) -> None:
        server = self.start_server({"/input.csv": Route(body=GOOD_CSV.encode(), required_token=SECRET)})
        result = run_job(self.base_env(server.url("/input.csv"), INPUT_AUTH_TOKEN="wrong-token-value"))

        self.assertEqual(result.returncode, 78, result.stdout + result.stderr)
        self.assertIn("HTTP 401", result.events("job_failed")[0]["message"])

    def test_output_path_that_is_a_directory_exits_78(self) -> None:
        (self.tmp / "out" / "result.json").mkdir(parents=True)
        result = run_job(self.base_env(self.write_input(GOOD_CSV)))

        self.assertEqual(result.returncode, 78, result.stdout + result.stderr)


class SecretsTest(JobTestCase):
    def test_secret_values_never_reach_the_logs(self) -> None:
        server = self.start_server({"/input.csv": Route(body=GOOD_CSV.encode(), required_token=SECRET)})
        url = server.url(f"/input.csv?X-Amz-Signature={SIGNATURE}")
        runs = {
            "success": self.base_env(url, INPUT_AUTH_TOKEN=SECRET),
            "data error": self.base_env(self.write_input(GOOD_CSV + "x,y,z\n"), INPUT_AUTH_TOKEN=SECRET),
            "transient error": self.base_env(f"http://127.0.0.1:{closed_port()}/in.csv?X-Amz-Signature={SIGNATURE}",
                                             INPUT_AUTH_TOKEN=SECRET),
            "config error": {"INPUT_PATH": url, "INPUT_AUTH_TOKEN": SECRET},
            "token with a trailing newline": self.base_env(url, INPUT_AUTH_TOKEN=SECRET + "\n"),
        }
        for name, env in runs.items():
            with self.subTest(name):
                result = run_job(env)
                self.assertNotIn(SECRET, result.stdout + result.stderr)
                self.assertNotIn(SIGNATURE, result.stdout + result.stderr)
                self.assertGreater(len(result.lines), 0)

    def test_configuration_log_reports_only_whether_the_secret_is_set(self) -> None:
        result = run_job(self.base_env(self.write_input(GOOD_CSV), INPUT_AUTH_TOKEN=SECRET))

        [loaded] = result.events("config_loaded")
        self.assertEqual(loaded["config"]["secrets"], {"INPUT_AUTH_TOKEN": "set"})


class MetricsTest(JobTestCase):
    def test_emits_one_embedded_metric_format_line(self) -> None:
        before_ms = int(time.time() * 1000)
        result = run_job(self.base_env(self.write_input(GOOD_CSV), JOB_NAME="nightly-report"))
        after_ms = int(time.time() * 1000)

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        emf_lines = [line for line in result.stdout.splitlines() if '"_aws"' in line]
        self.assertEqual(len(emf_lines), 1)
        document = json.loads(emf_lines[0])  # one whole JSON object per log event

        metadata = document["_aws"]
        self.assertIsInstance(metadata["Timestamp"], int)
        self.assertTrue(before_ms <= metadata["Timestamp"] <= after_ms)
        [directive] = metadata["CloudWatchMetrics"]
        self.assertEqual(set(directive), {"Namespace", "Dimensions", "Metrics"})
        self.assertEqual(directive["Namespace"], "BatchMigration/SampleJob")
        self.assertEqual(directive["Dimensions"], [["JobName"], ["JobName", "JobQueue"]])
        for dimension_set in directive["Dimensions"]:
            self.assertLessEqual(len(dimension_set), 9)
            for key in dimension_set:
                self.assertIsInstance(document[key], str)  # dimension targets are strings on the root
        self.assertEqual(document["JobName"], "nightly-report")
        self.assertEqual(document["JobQueue"], "batch-migration-dev-default")

        names = {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]}
        self.assertEqual(names, {"RecordsProcessed": "Count", "RecordsRejected": "Count", "Duration": "Milliseconds"})
        for name, unit in names.items():
            self.assertIn(unit, CLOUDWATCH_UNITS)
            self.assertIsInstance(document[name], (int, float))  # metric targets are numbers on the root
        self.assertEqual(document["RecordsProcessed"], 3)
        self.assertEqual(document["RecordsRejected"], 0)
        self.assertGreaterEqual(document["Duration"], 0)
        # High-cardinality values are properties, not dimensions.
        self.assertEqual(document["job_id"], "0f0e2a7c-4b7e-4d4a-9a53-5c1f1c1d0001")
