from . import agenda, diaries, disclosures, inspections, matters, pledges  # noqa: F401  (admin registrations)
