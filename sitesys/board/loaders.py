"""Loading the records of the board's own pages."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from sitesys.board.models import Display


def get_display_or_404(session: Session, display_id: int, *, for_update: bool = False) -> Display:
    """A wall-board display. Not scoped to a site: an admin manages the displays of every site."""
    if for_update:
        session.scalar(select(Display.id).where(Display.id == display_id).with_for_update())
    display = session.scalar(
        select(Display)
        .where(Display.id == display_id)
        .options(joinedload(Display.site))
        .execution_options(populate_existing=for_update)
    )
    if display is None:
        abort(404)
    return display
