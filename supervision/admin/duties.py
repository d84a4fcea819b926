"""Admin for pledges, disclosures, checks and inspections."""
