"""Every test here starts with no address over its rate limit (the limiter's counts live in
memory across the suite's tests, and sign-in is limited per address)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from sitesys.extensions import limiter


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app: Flask) -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()
