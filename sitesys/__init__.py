"""SiteSys: the operations system for supervised drug-consumption sites."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import PROJECT_ROOT, Config


def create_app(config: Config | None = None) -> Flask:
    """Wire SiteSys together; never migrates, starts the scheduler or prompts."""
    from sitesys import (
        cli,
        db,
        errors,
        http_headers,
        i18n,
        request_body,
        session_cookie,
        templating,
    )
    from sitesys.alerts.views import bp as alerts_bp
    from sitesys.alerts.views.public import bp as public_alerts_bp
    from sitesys.audit import chain as audit_chain
    from sitesys.audit import floor_rule
    from sitesys.audit import origin as audit_origin
    from sitesys.audit.views import bp as audit_bp
    from sitesys.auth import guard
    from sitesys.auth.views import bp as auth_bp
    from sitesys.board.views import bp as board_bp
    from sitesys.board.views.displays import display_bp
    from sitesys.care.views import bp as care_bp
    from sitesys.checkin.views import bp as checkin_bp
    from sitesys.clients.views import bp as clients_bp
    from sitesys.drugchecks.views import bp as drugchecks_bp
    from sitesys.drugchecks.views.public import bp as results_bp
    from sitesys.extensions import csrf, limiter
    from sitesys.fallback.views import bp as fallback_bp
    from sitesys.handovers.views import bp as handovers_bp
    from sitesys.home.views import bp as home_bp
    from sitesys.incidents.views import bp as incidents_bp
    from sitesys.observations.views import bp as observations_bp
    from sitesys.record_ids import RecordIdConverter
    from sitesys.reports.views import bp as reports_bp
    from sitesys.sites.recipe_views import bp as code_recipe_bp
    from sitesys.sites.views import bp as sites_bp
    from sitesys.staff.views import bp as staff_bp
    from sitesys.supplies.views import bp as supplies_bp
    from sitesys.system.privacy import bp as privacy_bp
    from sitesys.system.views import bp as system_bp

    config = config or Config.from_env()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(
        RATELIMIT_STORAGE_URI=config.rate_limit_storage,
        # Counts are kept under SiteSys's own prefix on a Redis that may serve other programs.
        RATELIMIT_KEY_PREFIX="sitesys",
        RATELIMIT_HEADERS_ENABLED=True,
        # Should Redis be unreachable, a page is still answered (counted in memory meanwhile)
        # rather than failing as an error page.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        SITESYS_PASSWORD_CHECKS_AT_ONCE=config.password_checks_at_once,
    )
    app.config.update(
        SITESYS=config,
        SECRET_KEY=config.secret_key,
        SITESYS_CLIENT_CODE_KEY=config.client_code_key,
        SITESYS_CLIENT_CODE_OLD_KEYS=config.client_code_old_keys,
        SITESYS_TWO_FACTOR_KEY=config.two_factor_key,
        TESTING=config.env == "test",
        MAX_CONTENT_LENGTH=config.max_content_length,
        MAX_FORM_MEMORY_SIZE=config.max_form_memory_size,
        MAX_FORM_PARTS=config.max_form_parts,
        SESSION_COOKIE_NAME="__Host-sitesys" if config.is_production else "sitesys_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=config.is_production,
        # No remember-me cookie is ever set: shared tablets sign in every shift.
        REMEMBER_COOKIE_DURATION=0,
        # A form lives as long as the longest session; an older one is answered by sign-in again.
        WTF_CSRF_TIME_LIMIT=16 * 3600,
        WTF_CSRF_SSL_STRICT=True,
        TEMPLATES_AUTO_RELOAD=config.env == "development",
        **config.extra,
    )
    if config.trusted_proxies:
        # Only when exactly this many trusted proxies set the headers: otherwise a client could
        # claim to be on HTTPS or on another host.
        hops = config.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    db.init_app(app, config.database_url)
    request_body.init_app(app)
    floor_rule.install("log" if config.is_production else "raise")
    audit_chain.install()
    audit_origin.init_app()
    session_cookie.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    guard.init_app(app)
    http_headers.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    # Before the blueprints: their rules take the converter when they are added.
    app.url_map.converters["int"] = RecordIdConverter
    for blueprint in (
        system_bp,
        privacy_bp,
        code_recipe_bp,
        auth_bp,
        home_bp,
        checkin_bp,
        observations_bp,
        board_bp,
        display_bp,
        incidents_bp,
        clients_bp,
        handovers_bp,
        staff_bp,
        sites_bp,
        audit_bp,
        drugchecks_bp,
        results_bp,
        alerts_bp,
        public_alerts_bp,
        fallback_bp,
        care_bp,
        supplies_bp,
        reports_bp,
    ):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    return app
