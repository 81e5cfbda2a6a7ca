"""Word lists for the synthetic cohort (data only), one module per theme.

==================  ==========================================================================
``specialties``     the specialties (weights, residency years, lay names) and cross-cutting topics
``topics_medical``  planted topics of internal medicine and its subspecialties, neurology,
                    psychiatry, pediatrics, obstetrics and gynecology
``topics_surgical`` planted topics of general surgery and the specialties after it in
                    ``SPECIALTIES`` (surgical, emergency, primary care, diagnostic and others)
``people``          names, campuses, undergraduate sites, second languages
``backgrounds``     mentors' teaching roles, hobbies, origins, earlier jobs, funders, schools
``mentor_text``     mentor biography sentences, publication titles, populations, outcomes
``mentee_text``     mentee noise interests and goal sentences
``feedback``        feedback comments by tone
==================  ==========================================================================

Entries are ``|``-separated strings so that each fits a few short lines; lists inside a field are
``;``-separated. Text lists in triple-quoted strings hold one entry per line, split by
``recommender.samplegen.topics.lines``; ``{name}`` placeholders are filled per mentor or mentee.
"""
