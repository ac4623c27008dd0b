"""Mail: the outbox, sent after commit."""
