"""The ESF data set: export and spreadsheet imports."""
