"""Unbound Flask extensions, initialised by create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

#: Translations and locale-aware formatting; the locale and zone are chosen in sitesys/i18n.py.
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
#: Rate limits per client address, for the pages anyone can reach (a drug-check result by code,
#: a site's public alerts; sign-in may use it too). No limit applies unless a view declares one.
#: The address is the connection's, or the one set by the trusted proxies (ProxyFix in
#: create_app): a forged X-Forwarded-For header from a client is never believed.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
