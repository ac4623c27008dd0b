"""Links that leave the portal follow its routes and the configured BASE_URL, prefix included."""

import re
from pathlib import Path

from portal.services.common.links import external_url, site_domain

SERVICES = Path(__file__).resolve().parents[2] / "portal" / "services"


def test_an_address_is_built_from_the_endpoint_under_the_base_url(app):
    app.config["BASE_URL"] = "https://ops.example.org/portal/"
    with app.app_context():
        assert external_url("participant.event_detail", event_id=5) == (
            "https://ops.example.org/portal/me/events/5"
        )
        assert external_url("participant.plan", _anchor="questions") == (
            "https://ops.example.org/portal/me/plan#questions"
        )
        assert external_url("auth.set_password", token="abc") == (
            "https://ops.example.org/portal/auth/set-password/abc"
        )
        assert site_domain() == "ops.example.org"


def test_an_invitation_link_is_under_the_base_url(app, ctx, make_user):
    from portal.extensions import db
    from portal.models import User
    from portal.services.accounts import accounts

    app.config["BASE_URL"] = "https://ops.example.org/portal"
    user = db.session.get(User, make_user(email="new.worker@example.org"))
    assert accounts.link_url(user, accounts.INVITE).startswith(
        "https://ops.example.org/portal/auth/set-password/"
    )


def test_no_service_writes_a_route_path_by_hand():
    written = re.compile(r"[\"'](/(me|staff|auth|public)/)")
    found = [
        f"{path.relative_to(SERVICES)}:{number}"
        for path in SERVICES.rglob("*.py")
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if written.search(line)
    ]
    assert found == []
