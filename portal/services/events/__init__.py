"""PAL events: sign-ups, group sessions, public events, calendars and reminders."""
