"""Support given: social contracts, allowances and their approval and payment, courses, casework
and placements."""
