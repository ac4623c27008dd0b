"""Contracts, allowances, their approval and payment, courses, casework and placements."""
