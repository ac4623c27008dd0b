"""The installation's centres, and a centre's set-up: project, stages, lines, villages, catalogue,
contacts."""
