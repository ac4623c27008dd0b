"""The sign-in blueprint (/auth) and the rate limit its password forms share."""

from flask import Blueprint, current_app

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_limit() -> str:
    limit: str = current_app.config["LOGIN_RATE_LIMIT"]
    return limit
