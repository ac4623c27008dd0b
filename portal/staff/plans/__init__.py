"""Individual development plans and their questions."""
