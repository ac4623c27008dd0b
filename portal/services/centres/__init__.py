"""A centre and its set-up: projects, stages, lines, villages, the catalogue, contacts."""
