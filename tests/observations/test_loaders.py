"""Loading an observation for a request: another site's is answered exactly like a missing one."""

from __future__ import annotations

import uuid

import pytest
from werkzeug.exceptions import NotFound

from sitesys.auth.roles import Role
from sitesys.observations.loaders import get_observation_or_404
from sitesys.observations.services import record_quick_check
from tests.factories import make_site, make_staff, make_visit


@pytest.mark.parametrize("for_update", [False, True])
def test_an_observation_loads_at_its_visits_site_only(db, for_update):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    check = record_quick_check(db, nurse, make_visit(db, site, nurse), str(uuid.uuid4()))
    assert get_observation_or_404(db, check.id, site, for_update=for_update) is check
    with pytest.raises(NotFound):
        get_observation_or_404(db, check.id, make_site(db), for_update=for_update)
    with pytest.raises(NotFound):
        get_observation_or_404(db, check.id + 1, site, for_update=for_update)
