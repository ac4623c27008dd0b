"""The ESF data set leaving and entering the portal: the export and spreadsheet imports."""
