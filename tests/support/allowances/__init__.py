"""Allowances: the rules of a request, four-eyes decisions, the budget, payment lists, the person.

Service calls run in their own application context (`run`) and commit, as a request would;
a refusal rolls back. Services get a fixed `now` (10 March 2026); pages run on the real clock.
Messages are compared with what the portal shows in Polish (tests.helpers.translated).
"""
