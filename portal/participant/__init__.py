"""The participant's own pages: only ever their own record.

Every view module is named here: importing it adds its routes to the blueprint.
"""

from portal.participant import confirmations, kept_forms, my_data_page, my_details, views
from portal.participant.blueprint import bp

VIEW_MODULES = (views, confirmations, my_data_page, my_details, kept_forms)

__all__ = ["VIEW_MODULES", "bp"]
