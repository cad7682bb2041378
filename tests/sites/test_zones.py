"""Sites grouped by time zone for figures read for many sites at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sitesys.sites.zones import zone_groups
from tests.factories import make_site


def test_sites_in_one_zone_share_the_instants_of_their_local_days(db):
    london = make_site(db, name="Riverside", time_zone="Europe/London")
    toronto = make_site(db, name="Queen Street", time_zone="America/Toronto")
    harbour = make_site(db, name="Harbour", time_zone="Europe/London")
    # March 2026: London's clocks go forward on the 29th, Toronto's on the 8th.
    groups = zone_groups([london, toronto, harbour], date(2026, 3, 1), date(2026, 3, 31))
    assert [group.site_ids for group in groups] == [[london.id, harbour.id], [toronto.id]]
    assert (groups[0].start, groups[0].end) == (
        datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 31, 23, 0, tzinfo=UTC),
    )
    assert (groups[1].start, groups[1].end) == (
        datetime(2026, 3, 1, 5, 0, tzinfo=UTC),
        datetime(2026, 4, 1, 4, 0, tzinfo=UTC),
    )
