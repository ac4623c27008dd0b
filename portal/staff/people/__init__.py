"""Participants: the list, the record, monitoring data and exit, merging, residents' account
requests."""
