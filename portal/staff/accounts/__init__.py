"""The centre's staff accounts: roles, deactivation, caseloads handed over."""
