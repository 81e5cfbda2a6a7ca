"""The domain: records (mentors, mentees, feedback, cohorts), kinds and roles, specialties,
profile items, suggestions and errors. Imports nothing else of ours."""
