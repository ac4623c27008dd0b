"""A centre's set-up: project, stages, lines, villages, catalogue, contacts."""
