"""Background jobs: heavy documents requested from a page and built by a worker."""
