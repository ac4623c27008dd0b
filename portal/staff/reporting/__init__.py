"""The dashboard, the stage's exports and the yearly report."""
