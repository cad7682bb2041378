"""Wall-board displays: a tablet paired by an admin that shows one site's board and nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.clock import utcnow
from sitesys.db import Audited, Base

if TYPE_CHECKING:
    from sitesys.auth.models import Staff
    from sitesys.sites.models import Site


class Display(Audited, Base):
    """A registered wall-board display ("Nurses' station").

    An admin registers it and is shown a one-time pairing code, kept here only as a digest with
    its expiry. Entered at /display, the code is spent and the device is given a token of its own
    (also kept as a digest): the display session. It has no idle timeout; it ends when an admin
    revokes the display, at its next poll.
    """

    audit_type = "display"

    __tablename__ = "displays"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: The pairing code's digest until it is used or replaced; unique while it is live.
    pairing_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None]
    #: The paired device's token digest (the display session).
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    paired_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    #: The address the display was last seen from (as the proxy reports it).
    last_seen_from: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    site: Mapped[Site] = relationship()
    created_by: Mapped[Staff] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[Staff | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_paired(self) -> bool:
        return self.token_digest is not None and not self.is_revoked
