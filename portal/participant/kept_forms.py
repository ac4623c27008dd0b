"""The participant's pages whose typed text is kept over a sign-out, and the form each builds
(portal/auth/kept_forms.py explains why only these, and only their fields)."""

from flask_babel import lazy_gettext as _l

from portal.auth.kept_forms import fixed, keep
from portal.participant.forms import DisagreeForm, PlanCommentForm
from portal.participant.my_details_forms import ContactForm as MyContactForm

keep(
    {
        "participant.my_details": fixed(MyContactForm, _l("My details")),
        "participant.plan_comment": fixed(PlanCommentForm, _l("Your plan")),
        "participant.plan_disagree": fixed(DisagreeForm, _l("Your plan"), "disagree"),
    }
)
