"""Individual development plans: revisions that never lose an edit, sharing, lifecycle, access.

The advisor edits the plan a section at a time; every save is a revision and a save based on an
old version gets the conflict page with the typed text intact. The participant sees only the
shared revision, never later drafts nor the advisor's notes. Progress (events attended,
counselling held, courses completed) shows on the plan without anyone typing it twice.
"""
