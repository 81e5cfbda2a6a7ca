"""Matching for programs: pair scores, the assignment solver, cohort assignment, shortlists
and the coordinator's review of drafts."""
