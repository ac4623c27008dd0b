"""Contracts, allowances and their decisions, courses, casework and placements."""
