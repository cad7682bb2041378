"""Bounded lists: every list page shows a page at a time, without counting the whole table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request
from sqlalchemy import Select
from sqlalchemy.orm import Session

from sitesys.record_ids import whole_number

T = TypeVar("T")
PER_PAGE = 50


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number() -> int:
    raw = request.args.get("page", "1")
    return whole_number(raw, 99_999) or 1


def paginate(session: Session, statement: Select[Any], per_page: int = PER_PAGE) -> Page[Any]:
    """One page of an ordered select; fetches one extra row to know whether a next page exists."""
    number = page_number()
    rows = list(session.scalars(statement.limit(per_page + 1).offset((number - 1) * per_page)))
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page)
