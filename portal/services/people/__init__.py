"""Participants: their record, duplicates and merging, ESF monitoring data, exits, consents,
personal data, retention and anonymisation, letters."""
