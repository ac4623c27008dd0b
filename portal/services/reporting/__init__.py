"""What a stage adds up to: stage people, the dashboard, exports, the yearly report."""
