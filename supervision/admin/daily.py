"""Admin for diaries, matters and agenda items."""
