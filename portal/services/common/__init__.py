"""What every subject uses: domain errors, dates, storage limits, lifecycle transitions."""
