"""The visit page's supply steppers."""

from __future__ import annotations

from collections.abc import Mapping

from sitesys.forms import SiteSysForm


class SuppliesForm(SiteSysForm):
    """One stepper per item: `qty-<item id>` the quantity wanted, `shown-<item id>` the quantity
    the page showed (a quantity changed meanwhile is refused rather than overwritten).
    """

    def quantities(
        self, formdata: Mapping[str, str], item_ids: list[int]
    ) -> tuple[dict[int, int], dict[int, int]] | None:
        """(wanted, shown) for the items the form carries; None when a box is not a whole number."""
        wanted: dict[int, int] = {}
        shown: dict[int, int] = {}
        for item_id in item_ids:
            raw = formdata.get(f"qty-{item_id}")
            if raw is None:
                continue
            raw = raw.strip() or "0"
            was = (formdata.get(f"shown-{item_id}") or "0").strip()
            if not raw.isdigit() or not was.isdigit():
                return None
            wanted[item_id], shown[item_id] = int(raw), int(was)
        return wanted, shown
