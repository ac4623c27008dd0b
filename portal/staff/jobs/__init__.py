"""The pages of background jobs: a job's progress and its file."""
