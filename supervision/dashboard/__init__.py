"""Dashboard panels of the supervision app (portal/dashboard.py assembles them)."""
