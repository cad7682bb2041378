"""The source address and device of the request an audit event is part of.

The address is the connection's, or the one the trusted proxies set (ProxyFix, configured by
SITESYS_TRUSTED_PROXIES in create_app): a client cannot claim another by sending the header
itself. The device is a wall-board display's name where one is known (a view or the board sets
`g.audit_device`), else the browser's user agent, shortened to fit.
"""

from __future__ import annotations

from flask import g, has_request_context, request

from sitesys.audit.services import set_origin_source

#: Longest device text kept (the column's width).
DEVICE_LENGTH = 120
ADDRESS_LENGTH = 45


def request_origin() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    address = (request.remote_addr or "")[:ADDRESS_LENGTH] or None
    named: str | None = g.get("audit_device")
    device = named or request.user_agent.string
    return address, (device or "")[:DEVICE_LENGTH] or None


def init_app() -> None:
    set_origin_source(request_origin)
