"""The development outbox."""
