"""Starting and stopping gunicorn (gthread) for a benchmark, and watching its workers' memory."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import ROOT

WORKERS = 2
THREADS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            found += [int(child) for child in children.read_text().split()]
    return found


def _status(pid: int) -> dict[str, int]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])  # kB
    except FileNotFoundError:
        pass
    return values


class Gunicorn:
    """One gunicorn master with its workers, in its own process group so it is stopped whole."""

    def __init__(self, app: str, environment: dict[str, str], log: Path) -> None:
        self.app = app
        self.port = free_port()
        self.environment = environment
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.peak_kb: dict[int, int] = {}
        self._sampling = threading.Event()
        self._sampler: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn",
            "--worker-class", "gthread", "--workers", str(WORKERS), "--threads", str(THREADS),
            "--timeout", "30", "--max-requests", "1000", "--max-requests-jitter", "100",
            # Longer than the tablets' 3-second poll, so a kept-alive connection is not closed
            # by the server just as the next poll is sent on it.
            "--keep-alive", "5",
            "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
            self.app,
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **self.environment},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn {self.app} did not answer; see {self.log}")
        self._sampling.set()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def workers(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def _sample(self) -> None:
        # Workers are recycled after max_requests: peaks are watched all along, not only at the end.
        while self._sampling.is_set():
            self.sample()
            time.sleep(0.5)

    def sample(self) -> None:
        for pid in self.workers():
            peak = _status(pid).get("VmHWM")
            if peak:
                self.peak_kb[pid] = max(peak, self.peak_kb.get(pid, 0))

    def memory(self) -> dict[str, Any]:
        self.sample()
        current = {pid: _status(pid) for pid in self.workers()}
        peaks = sorted(self.peak_kb.values())
        return {
            "worker_peak_rss_mb": round(max(peaks) / 1024, 1) if peaks else None,
            "workers_seen": len(peaks),
            "current_workers": {
                str(pid): {key: round(value / 1024, 1) for key, value in values.items()}
                for pid, values in current.items()
            },
        }

    def stop(self) -> None:
        self._sampling.clear()
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
