"""Duty tasks: the quarterly disclosure check."""
