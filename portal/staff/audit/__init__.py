"""The audit trail's pages, and the read entries every page of a person writes."""
