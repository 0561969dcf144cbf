"""Opening the input: a local file (or a volume mounted into the container) or an HTTP(S) URL.

Failures are sorted by whether a retry can help:

* not reachable now (file missing, mount not ready, connection refused, timeout, HTTP 404,
  408, 429 and 5xx) -> ``TransientError`` (exit 75, retried);
* wrong setting (permission denied, a directory instead of a file, HTTP 401/403 and other
  4xx) -> ``ConfigError`` (exit 78, not retried).

Error messages name the input by ``display_location`` so that a presigned URL's signature
or a bearer token never reaches the log.
"""

from __future__ import annotations

import http.client
import io
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import Iterator, TextIO
from urllib.parse import unquote, urlsplit

from . import __version__
from .config import Config, display_location
from .errors import ConfigError, TransientError

RETRYABLE_HTTP_STATUS = frozenset({404, 408, 429})


def _local_path(location: str) -> str:
    parts = urlsplit(location)
    if parts.scheme == "file":
        return unquote(parts.path)
    return location


@contextmanager
def open_input(config: Config) -> Iterator[TextIO]:
    """Yield the input as text, ready for ``csv`` (``newline=""``, UTF-8, BOM accepted)."""
    shown = display_location(config.input_location)
    if config.input_is_url:
        headers = {"User-Agent": f"sample-job/{__version__}", "Accept": "text/csv, text/plain;q=0.9, */*;q=0.1"}
        if config.input_auth_token:
            headers["Authorization"] = f"Bearer {config.input_auth_token}"
        request = urllib.request.Request(config.input_location, headers=headers, method="GET")
        try:
            response = urllib.request.urlopen(request, timeout=config.input_timeout_seconds)
        except urllib.error.HTTPError as error:
            status = error.code
            error.close()
            if status in RETRYABLE_HTTP_STATUS or status >= 500:
                raise TransientError(f"input {shown} answered HTTP {status}") from None
            raise ConfigError(
                f"input {shown} answered HTTP {status}: check INPUT_PATH and the INPUT_AUTH_TOKEN secret"
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise TransientError(f"input {shown} is not reachable: {reason}") from None
        with response:
            yield io.TextIOWrapper(response, encoding="utf-8-sig", newline="")
        return

    path = _local_path(config.input_location)
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise TransientError(
            f"input {shown} does not exist (not written yet, or the volume is not mounted)"
        ) from None
    except (PermissionError, IsADirectoryError) as error:
        raise ConfigError(f"input {shown} cannot be read: {error.strerror}") from None
    except OSError as error:
        raise TransientError(f"input {shown} cannot be opened: {error.strerror}") from None
    with handle:
        yield handle
