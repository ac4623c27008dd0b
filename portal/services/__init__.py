"""Domain rules. Services take plain arguments (the actor and the clock too) and never commit."""
