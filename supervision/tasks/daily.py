"""Daily-loop tasks: deadline lights, escalation, diary reminders."""
