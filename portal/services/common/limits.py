"""Bounds of what the database stores, checked at the edge before a value reaches a query."""

# PostgreSQL's `integer` (and the ids it numbers): a larger number in a URL or a form is refused
# as not found or invalid instead of failing inside the database driver.
MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
MAX_ID = MAX_INT
# An id with more digits is none, whatever they are (leading zeros included): checked before a
# conversion to int, which raises past 4 300 digits.
MAX_ID_DIGITS = len(str(MAX_ID))
