"""The people tests' shared cast: a centre of their own and a social worker signed in to it."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from portal.models.enums import Role


@pytest.fixture
def centre(make_centre):
    return make_centre()


@pytest.fixture
def worker(app, centre, make_user, login_as):
    """The id of a social worker of `centre`, signed in on the test client."""
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org")
    login_as("worker@example.org")
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == "worker@example.org"))
