"""Every record with a lifecycle moves along its own table of allowed moves, here and only here."""
