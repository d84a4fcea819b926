from . import daily, duties  # noqa: F401  (admin registrations)
