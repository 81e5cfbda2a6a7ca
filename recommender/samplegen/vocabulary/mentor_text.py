"""Mentor-side text (data only): biography sentences, publication titles, populations and
outcomes. One entry per line; ``{name}`` placeholders are filled per mentor."""

from __future__ import annotations

BIO_INTRO_ATTENDING = """
{ref} is {role_intro} at {campus} with a clinical focus on {i1}.
{ref} is {role_intro} and practices {sub} at {campus}, mostly caring for patients with {i1}.
{a_specialist} at {campus}, {ref} spends most clinic days on {i1} and {i2}.
{ref} joined the {specialty} faculty {years} ago and now leads the {sub} service at {campus}.
{ref} has practiced {sub} at {campus} for {years}, with a particular interest in {i1}.
{ref} is {role_intro}; clinical work at {campus} centers on {i1}.
As {role_intro}, {ref} divides time between the {sub} clinic and the inpatient service.
{ref} trained at {school} and is now {role_intro} at {campus}.
{ref} is {a_specialist} whose practice at {campus} draws patients with {i1} from across the region.
After residency and fellowship at {school}, {ref} came to {campus} to build a program in {i1}.
"""

BIO_INTRO_TRAINEE = """
{ref} is {role_intro} at {campus} with a growing interest in {i1}.
{ref} is {role_intro} who enjoys helping students find their footing on the wards.
Currently {role_intro}, {ref} still remembers what it felt like to choose a specialty.
{ref} is {role_intro} at {campus} and went through this same mentoring program as a student.
{ref} is {role_intro} at {campus}, interested in {i1} and {i2}.
{ref} finished medical school at {school} and is now {role_intro} at {campus}.
"""

BIO_RESEARCH = """
{ref}'s research examines {r1}.
Current projects include work on {r1} and {r2}.
{ref} leads a small team studying {r1} and welcomes students who want hands-on research.
Research interests include {r1}; students have co-authored several abstracts with {ref}.
With support from {funder}, {ref} studies {r1}.
Much of {ref}'s scholarship focuses on {r1}, often with colleagues in {other}.
{ref} is always looking for motivated trainees to help with chart reviews on {r1}.
{ref} has run several student summer projects on {r2}.
"""

BIO_TEACHING = """
{ref} serves as {teach}.
In addition to clinical work, {ref} is {teach} and has won a departmental teaching award.
Students know {ref} best as {teach}.
{ref} has been {teach} since {since}.
"""

BIO_PHILOSOPHY = """
{ref} believes good mentoring starts with listening and setting clear expectations early.
Mentees describe {ref} as direct, honest and quick to make introductions.
{ref} prefers regular short check-ins over occasional long meetings.
{ref} is happy to talk about careers outside academic medicine as well.
Having switched specialties once, {ref} is glad to talk with trainees who feel unsure.
As a first-generation college graduate, {ref} is keen to support students from similar backgrounds.
{ref} likes to help mentees turn vague ideas into a concrete plan with dates attached.
{ref} is candid about mistakes made along the way and thinks trainees can learn from them.
{ref} encourages every mentee to build a small team of mentors rather than rely on one person.
Meetings with {ref} often happen over coffee or on a walk around campus.
{ref} answers email within a day or two and asks mentees to bring a short agenda.
{ref} enjoys reviewing CVs and personal statements and gives detailed written feedback.
{ref} has mentored more than {mentored} students and residents over the years.
{ref} sees mentoring as a two-way street: good questions from students keep the work fresh.
"""

BIO_PERSONAL = """
Outside work, {ref} {hobby}.
{ref} also {hobby} and is always up for a conversation about it.
A parent of {kids}, {ref} is open about balancing a medical career with family life.
{ref} grew up in {origin} and moved to {city} for training.
Before medicine, {ref} worked as {prior}.
{ref} is a proud dog owner and sometimes brings a very calm retriever to walking meetings.
"""

BIO_LANGUAGE = """
{ref} speaks {lang} and is glad to mentor in either language.
Raised in a bilingual household, {ref} speaks English and {lang}.
{ref} often sees patients in {lang} and can mentor in it too.
"""

PUBLICATION_PATTERNS = """
Outcomes of {interv} in {pop}: a retrospective cohort study
A randomized trial of {interv} versus usual care in {pop}
!{Interv} for {cond}: a pragmatic randomized controlled trial
A qualitative study of patient and clinician perspectives on {cond}
!An unusual presentation of {cond}: a case report
{Research}: a narrative review
{Research}: a systematic review and meta-analysis
!Trends in {cond} among {pop}, {y1}-{y2}
Implementing {interv} at an academic medical center: a quality improvement initiative
Predictors of {outcome} after {interv}
Racial and ethnic disparities in {research}
!Machine learning prediction of {outcome} in patients with {cond}
Cost-effectiveness of {interv} in {pop}
Trainee perceptions of teaching on {cond}: a survey study
{Interv} and {outcome}: a propensity-matched analysis
Variation in {research} across US hospitals
Real-world experience with {interv}: a single-center case series
Update on {cond} for the practicing clinician
"""

POPULATIONS = """
older adults
a safety-net health system
rural Midwestern hospitals
a national claims database
veterans
young adults
a multicenter registry
Medicaid enrollees
an urban academic cohort
a statewide quality collaborative
"""

CHILD_POPULATIONS = """
children and adolescents
infants
a pediatric multicenter registry
a children's hospital network
"""

OUTCOMES = """
30-day readmission
in-hospital mortality
length of stay
patient-reported quality of life
return to work
time to diagnosis
treatment adherence
emergency department revisits
major complications
"""
