"""Signing in and out; importing it connects the sign-in handlers (`language`)."""

from portal.auth import language  # noqa: F401
