"""Staff accounts and residents' account requests."""
