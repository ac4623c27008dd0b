"""Individual development plans: goals, history, questions, diagnosis and progress."""
