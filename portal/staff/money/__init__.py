"""The budget, the ledger and posts."""
