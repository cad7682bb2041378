"""Staff accounts, their login sessions and failed sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.db import Audited, Base
from sitesys.sites.models import Site, staff_sites


class Staff(Audited, Base):
    """A member of staff who signs in to SiteSys."""

    audit_type = "staff"

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case sign-in name; never a client's.
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[Role]
    is_active: Mapped[bool] = mapped_column(default=True)
    #: argon2id hash; the password itself is never stored or logged.
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Set when an admin issued or reset the password: it is changed at the next sign-in,
    #: before anything else, so only its owner knows the password in use.
    must_change_password: Mapped[bool] = mapped_column(server_default=false())
    #: The language this member of staff reads SiteSys in; None: their site's default language.
    language: Mapped[str | None] = mapped_column(String(10))
    #: The TOTP secret of two-factor sign-in, encrypted (Fernet under SITESYS_TWO_FACTOR_KEY,
    #: auth/two_factor.py); None until enrolled. Never logged, audited or put in a URL.
    two_factor_secret: Mapped[str | None] = mapped_column(String(255))
    two_factor_enrolled_at: Mapped[datetime | None]
    #: The last 30-second time step whose code was accepted: a code is never accepted twice.
    two_factor_last_step: Mapped[int | None] = mapped_column(BigInteger)

    sites: Mapped[list[Site]] = relationship(
        secondary=staff_sites, back_populates="staff", order_by="Site.name"
    )

    # Flask-Login's user protocol. The id it stores in the cookie is the login session's token,
    # not the staff id, so that logging out (or deactivation) makes a copied cookie worthless.
    is_authenticated = True
    is_anonymous = False

    def attach_session_token(self, token: str) -> None:
        """Hold the login session's token on this object only, for get_id(); never stored."""
        self.__dict__["_session_token"] = token

    def get_id(self) -> str:
        token = self.__dict__.get("_session_token")
        if not token:
            raise RuntimeError("Staff.get_id() needs the login session token")
        return str(token)

    def can_work_at(self, site_id: int) -> bool:
        return any(site.id == site_id for site in self.sites)

    @property
    def first_site(self) -> Site | None:
        """Where a session starts: an open site first (a closed one's alerts do not run)."""
        return next((site for site in self.sites if site.is_active), None) or next(
            iter(self.sites), None
        )

    @property
    def audit_site_id(self) -> int | None:
        """An account belongs to no one site; events about it name the site they happened at."""
        return None


class StaffSession(Base):
    """A signed-in session, kept on the server so that it can be ended there."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random token in the cookie; a database copy cannot be replayed.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    #: The site this session is working at.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))

    staff: Mapped[Staff] = relationship()
    site: Mapped[Site | None] = relationship()


class LoginFailure(Base):
    """A failed sign-in, counted per username (all tablets share one address)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Set on the failure that locked the account: sign-in is refused until then.
    locks_until: Mapped[datetime | None]


class RecoveryCode(Base):
    """A one-time recovery code of two-factor sign-in, kept only as an argon2 hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    #: The code's first characters, kept plain so that a typed code is checked against one hash
    #: rather than ten (auth/two_factor.py says how many bits stay secret).
    locator: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
