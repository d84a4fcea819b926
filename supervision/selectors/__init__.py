"""Split by topic: *daily* modules (diaries, matters, ideas) and *duties* modules (pledges, disclosures, inspections)."""
