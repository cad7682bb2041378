"""`generate-history` is there in a source checkout and absent, quietly, where SiteSys is deployed
without `bench/`; a fault inside the package is never hidden as its absence."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import build_app

ROOT = Path(__file__).resolve().parents[2]


def test_a_source_checkout_has_the_generate_history_command(app):
    assert "generate-history" in app.cli.commands
    result = app.test_cli_runner().invoke(args=["generate-history", "--help"])
    assert result.exit_code == 0, result.output
    assert "--visits-per-day" in result.output


def test_a_deployment_without_bench_starts_and_lists_no_generate_history(tmp_path):
    # What a deployment carries: the application, its templates and its entry points.
    shutil.copy(ROOT / "config.py", tmp_path / "config.py")
    shutil.copy(ROOT / "wsgi.py", tmp_path / "wsgi.py")
    (tmp_path / "sitesys").symlink_to(ROOT / "sitesys", target_is_directory=True)
    (tmp_path / "templates").symlink_to(ROOT / "templates", target_is_directory=True)
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("PYTHON")
    }
    environment.update(
        SITESYS_ENV="production",
        SITESYS_SECRET_KEY=secrets.token_urlsafe(48),
        SITESYS_CLIENT_CODE_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
    )
    listed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "--help"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "generate-history" not in listed.stdout
    assert "scheduler" in listed.stdout
    assert "create-user" in listed.stdout
    assert "Error" not in listed.stderr


def test_a_fault_inside_bench_is_raised_not_taken_for_its_absence(monkeypatch, database_url):
    # The command's module is imported afresh, and one of its own imports is missing.
    monkeypatch.delitem(sys.modules, "bench.history.cli")
    monkeypatch.setitem(sys.modules, "click", None)
    with pytest.raises(ModuleNotFoundError, match="click"):
        build_app(database_url)
