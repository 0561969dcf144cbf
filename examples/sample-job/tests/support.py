"""Helpers for the sample job's tests: running the job as a process, a loopback HTTP server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

JOB_ROOT = Path(__file__).resolve().parent.parent

GOOD_CSV = "category,amount,note\nbooks,12.50,paperback\nbooks,7.5,\ngames,30,boxed\n"


@dataclass
class JobRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[dict]:
        """Every standard-output line parsed as JSON (fails the test if one is not JSON)."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def events(self, name: str) -> list[dict]:
        return [line for line in self.lines if line.get("event") == name]

    @property
    def emf(self) -> list[dict]:
        return [line for line in self.lines if "_aws" in line]


def start_job(env: dict[str, str]) -> subprocess.Popen:
    """Start ``python -m sample_job`` with exactly ``env`` (plus what Python needs to run)."""
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(JOB_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "sample_job"],
        cwd=str(JOB_ROOT),
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_job(env: dict[str, str], timeout: float = 30) -> JobRun:
    process = start_job(env)
    stdout, stderr = process.communicate(timeout=timeout)
    return JobRun(process.returncode, stdout, stderr)


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    required_token: str | None = None
    hold: threading.Event | None = None  # when set, the answer waits until the event is set


@dataclass
class LoopbackServer:
    """A small HTTP server on 127.0.0.1 serving fixed answers per path."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    request_seen: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                path = self.path.split("?", 1)[0]
                server.requests.append({"path": self.path, "authorization": self.headers.get("Authorization", "")})
                server.request_seen.set()
                route = server.routes.get(path, Route(status=404))
                if route.hold is not None:
                    route.hold.wait(timeout=20)
                status = route.status
                if route.required_token is not None and self.headers.get("Authorization") != f"Bearer {route.required_token}":
                    status = 401
                body = route.body if status == 200 else b"error\n"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/csv")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client went away (e.g. the job was terminated)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def close(self) -> None:
        for route in self.routes.values():
            if route.hold is not None:
                route.hold.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class JobTestCase(unittest.TestCase):
    """A test case with a temporary folder for inputs and outputs."""

    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="sample-job-test-")
        self.tmp = Path(self._tmp.name)
        self.addCleanup(self._tmp.cleanup)

    def write_input(self, content: str | bytes, name: str = "input.csv") -> Path:
        path = self.tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def base_env(self, input_location: str | Path, output_name: str = "out/result.json", **extra: str) -> dict[str, str]:
        return {
            "INPUT_PATH": str(input_location),
            "OUTPUT_PATH": str(self.tmp / output_name),
            "AWS_BATCH_JOB_ID": "0f0e2a7c-4b7e-4d4a-9a53-5c1f1c1d0001",
            "AWS_BATCH_JOB_ATTEMPT": "2",
            "AWS_BATCH_JQ_NAME": "batch-migration-dev-default",
            **extra,
        }

    def start_server(self, routes: dict[str, Route]) -> LoopbackServer:
        server = LoopbackServer(routes=routes)
        self.addCleanup(server.close)
        return server
