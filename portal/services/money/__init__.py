"""The project's money: budget lines, the ledger and its reports, posts, amounts."""
