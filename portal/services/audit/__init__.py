"""The audit trail: entries written with each change, their labels and the history pages."""
