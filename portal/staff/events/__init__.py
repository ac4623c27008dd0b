"""PAL events, their sign-ups and attendance, and group sessions."""
