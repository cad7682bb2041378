"""Starting and stopping gunicorn (gthread), and nginx in front of it, for a benchmark."""

from __future__ import annotations

import contextlib
import os
import re
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


#: nginx as Debian installs it (apt-get install nginx); nothing here installs it.
NGINX = Path("/usr/sbin/nginx")
#: The reference configuration shipped for production (README, "Production deployment").
NGINX_CONF = ROOT / "docs" / "deploy" / "nginx.conf"


class NginxConfChanged(ValueError):
    """The shipped configuration no longer has a line render_nginx_conf changes."""


def _swap(text: str, old: str, new: str, count: int = 1) -> str:
    found = text.count(old)
    if found != count:
        raise NginxConfChanged(
            f"{NGINX_CONF.name}: expected {count} of {old.strip()!r}, found {found}; "
            "render_nginx_conf in bench/server.py follows the shipped file's lines"
        )
    return text.replace(old, new)


def render_nginx_conf(
    log_dir: Path,
    *,
    listen_port: int,
    upstream_port: int,
    certificate: tuple[Path, Path] | None = None,
    redirect_port: int | None = None,
) -> str:
    """The shipped docs/deploy/nginx.conf, runnable on 127.0.0.1 by anyone: its listening
    addresses, the upstream's port, its log paths and (with a certificate) the certificate's
    paths changed, every rule and limit as shipped. Without a certificate the SiteSys server
    listens in plain HTTP and the redirect to HTTPS is left out: the benchmark's load generator
    should spend the two cores on requests, not on TLS handshakes.
    """
    text = NGINX_CONF.read_text()
    text = _swap(text, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    text = _swap(
        text,
        "/var/log/nginx/sitesys-access.log",
        str(log_dir / "sitesys-access.log"),
    )
    text = _swap(text, "/var/log/nginx/sitesys-error.log", str(log_dir / "sitesys-error.log"))
    text = _swap(text, "    listen [::]:443 ssl http2;\n", "")
    if certificate is None:
        text = _swap(text, "listen 443 ssl http2;", f"listen 127.0.0.1:{listen_port};")
        text, removed = re.subn(r"(?m)^ *ssl_\w+ .*;\n", "", text)
        if not removed:
            raise NginxConfChanged(f"{NGINX_CONF.name}: no ssl_ lines to leave out")
        text, removed = re.subn(r"(?s)# BEGIN HTTP REDIRECT\n.*?# END HTTP REDIRECT\n", "", text)
        if removed != 1:
            raise NginxConfChanged(f"{NGINX_CONF.name}: no HTTP REDIRECT block to leave out")
        return text
    chain, key = certificate
    text = _swap(text, "listen 443 ssl http2;", f"listen 127.0.0.1:{listen_port} ssl http2;")
    text = _swap(text, "/etc/letsencrypt/live/sitesys.example.org/fullchain.pem", str(chain))
    text = _swap(text, "/etc/letsencrypt/live/sitesys.example.org/privkey.pem", str(key))
    text = _swap(text, "    listen [::]:80;\n", "")
    return _swap(text, "listen 80;", f"listen 127.0.0.1:{redirect_port or free_port()};")


def nginx_main_conf(directory: Path, site_conf: Path, *, workers: str = "auto") -> str:
    """The main configuration around a rendered site file, as /etc/nginx/nginx.conf is around
    conf.d/: everything nginx writes (pid, logs, request-body and proxy buffers) in `directory`.
    """
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes {workers};\n"
        "daemon off;\n"
        f"pid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {directory / 'access.log'};\n"
        f"{temp}\n"
        f"    include {site_conf};\n"
        "}\n"
    )


class Nginx:
    """nginx in front of an upstream on 127.0.0.1, from the shipped configuration, in a directory
    of its own (pid, logs, buffers), as a child process in its own process group; works as root
    (its workers then run as nobody) and as anyone else.
    """

    def __init__(
        self,
        upstream_port: int,
        directory: Path,
        *,
        certificate: tuple[Path, Path] | None = None,
        workers: str = "auto",
    ) -> None:
        if not NGINX.exists():
            raise FileNotFoundError(f"{NGINX} is missing: apt-get install nginx")
        self.port = free_port()
        self.redirect_port = free_port()
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        # Workers started by root run as nobody, who must reach the buffers' directories.
        self.directory.chmod(0o755)
        site = self.directory / "sitesys.conf"
        site.write_text(
            render_nginx_conf(
                self.directory,
                listen_port=self.port,
                upstream_port=upstream_port,
                certificate=certificate,
                redirect_port=self.redirect_port,
            )
        )
        self.conf = self.directory / "nginx.conf"
        self.conf.write_text(nginx_main_conf(self.directory, site, workers=workers))
        self.scheme = "https" if certificate else "http"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def command(self, *extra: str) -> list[str]:
        prefix, early_log = str(self.directory), str(self.directory / "error.log")
        return [str(NGINX), "-p", prefix, "-c", str(self.conf), "-e", early_log, *extra]

    def test(self) -> subprocess.CompletedProcess[str]:
        """`nginx -t`: the configuration as nginx reads it, its certificate loaded."""
        return subprocess.run(
            self.command("-t"), capture_output=True, text=True, timeout=30, check=False
        )

    def start(self) -> None:
        log = self.directory / "nginx.out"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited; see {log} and {self.directory / 'error.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.port}; see {self.directory}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            # SIGTERM is nginx's fast shutdown; its workers are in the same process group.
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> Nginx:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
