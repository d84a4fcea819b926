"""Demo data of the supervision app, one part per entity (listed in portal's seed_demo):
diaries with comments, ideas and matters; pledges; disclosures and checks; inspections."""
