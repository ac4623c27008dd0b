"""Behind the reverse proxy the README describes, limits count each person, not the proxy.

The proxy appends the address it saw to X-Forwarded-For. With `PROXY_HOPS` set to the number of
proxies, exactly that many hops are trusted: the client's address is the one the outermost
proxy saw. A browser that sends its own X-Forwarded-For only adds hops to the left of it, which
are never read, so it cannot pick its place in the limits. Without a proxy the header is ignored.
"""

import pytest

from config import TestConfig
from portal import create_app
from portal.extensions import db

PROXY = "10.0.0.254"  # the only address the portal's socket ever sees behind the proxy
LIMIT = 3


@pytest.fixture
def proxied(database_url):
    """The app behind `hops` proxies, with the sign-in limit switched on."""
    apps = []

    def make(hops: int):
        config = type(
            "ProxiedConfig",
            (TestConfig,),
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": True,
                "LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
                "PROXY_HOPS": hops,
            },
        )
        app = create_app(config)
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _sign_in(client, forwarded_for: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        "/auth/login",
        data={"email": "nobody@example.org", "password": "wrong"},
        headers=headers,
        environ_base={"REMOTE_ADDR": PROXY},
    )
    return response.status_code


def test_each_client_behind_the_proxy_has_its_own_limit(app, proxied):
    client = proxied(hops=1)
    first = [_sign_in(client, "203.0.113.7") for _ in range(LIMIT + 1)]
    assert first == [200] * LIMIT + [429]
    # Another person behind the same proxy is not throttled by the first one's attempts.
    assert _sign_in(client, "198.51.100.23") == 200


def test_a_forged_forwarded_address_does_not_escape_the_limit(app, proxied):
    client = proxied(hops=1)
    # The browser sends its own header; the proxy appends the address it really saw.
    statuses = [_sign_in(client, f"192.0.2.{attempt}, 203.0.113.7") for attempt in range(LIMIT + 1)]
    assert statuses == [200] * LIMIT + [429]


def test_without_a_configured_proxy_the_header_is_ignored(app, proxied):
    client = proxied(hops=0)
    statuses = [_sign_in(client, f"203.0.113.{attempt}") for attempt in range(LIMIT + 1)]
    assert statuses == [200] * LIMIT + [429]  # one socket address: one limit
