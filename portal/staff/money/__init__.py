"""The ledger of a stage, event costs, and the posts paid from a project (one nested blueprint)."""
