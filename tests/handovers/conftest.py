"""Fixtures of the handover tests: a clock stopped in the Early shift, and a busy floor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from sitesys.clock import utcnow
from sitesys.sites.models import Site
from tests.handovers.helpers import DAY, local, prepared_floor


@pytest.fixture
def clock() -> Iterator[Any]:
    """The clock stopped at 11:00 in London on DAY, for the whole test."""
    with time_machine.travel(local(Site(time_zone="Europe/London"), DAY, 11), tick=False) as moment:
        yield moment


@pytest.fixture
def floor(db: Any, clock: Any) -> dict[str, Any]:
    """A site in the middle of its Early shift with a busy floor (helpers.prepared_floor)."""
    return prepared_floor(db, utcnow())
