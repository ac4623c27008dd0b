"""Signing in and out, the second step, fresh sign-ins and the security page.

Every view module is named here: importing it adds its routes to the blueprint (and `language`
connects the sign-in handlers).
"""

from portal.auth import fresh, language, second_step, security, views
from portal.auth.blueprint import bp

VIEW_MODULES = (views, second_step, fresh, security, language)

__all__ = ["VIEW_MODULES", "bp"]
