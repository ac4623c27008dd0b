"""Addresses that leave the portal (in e-mails, calendar files and feeds): built from the route's
endpoint against the configured BASE_URL, never from a path written by hand, so that they follow
the routes and work the same inside a request, in a command or in the mail sender."""

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, *, _anchor: str | None = None, **values: Any) -> str:
    """The full address of an endpoint under BASE_URL (its scheme, host and path prefix)."""
    base = urlsplit(str(current_app.config["BASE_URL"]))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "http"
    )
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


def site_domain() -> str:
    """The portal's own host name (calendar UIDs, Message-IDs)."""
    return urlsplit(str(current_app.config.get("BASE_URL") or "")).hostname or "localhost"
