"""Accounts and signing in: staff and participants' accounts, passwords, two-factor, a resident's
request for an account."""
