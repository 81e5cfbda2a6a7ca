"""Mentors' backgrounds (data only): teaching roles, hobbies, origins, earlier jobs, funders,
schools. One entry per line; ``{name}`` placeholders are filled per mentor."""

from __future__ import annotations

TEACHING_ROLES = """
{specialty} clerkship director
associate program director of the {specialty} residency
core faculty member for the {specialty} residency
small-group facilitator for the first-year clinical skills course
simulation center faculty member
faculty advisor for the student {specialty} interest group
fellowship program director
journal club coordinator
learning-community advisor for medical students
anatomy lab instructor
faculty lead for the research scholarly concentration
course director for the second-year organ systems block
director of the sub-internship
member of the medical school admissions committee
"""

TRAINEE_TEACHING_ROLES = """
chief resident
near-peer tutor for board preparation
resident-as-teacher coordinator
small-group facilitator for the first-year clinical skills course
journal club coordinator
student-run free clinic supervisor
"""

HOBBIES = """
runs half-marathons
plays cello in a community orchestra
coaches youth soccer
bakes sourdough bread
restores old bicycles
hikes whenever the weather allows
paints watercolor landscapes
plays pickup basketball
grows tomatoes and peppers in a small backyard garden
reads a lot of science fiction
climbs at the local bouldering gym
cooks elaborate dinners for friends
plays chess online
shoots film photography
sings in a choir
goes fly-fishing in the summer
practices yoga most mornings
collects vinyl records
writes short fiction
cycles to work year-round
plays in a weekend rec hockey league
"""

ORIGINS = """
Lagos
Manila
Houston
Mumbai
rural Iowa
Toronto
Guadalajara
Hanoi
Cairo
Seoul
New Orleans
Tucson
Addis Ababa
the Navajo Nation
Krakow
"""

PRIOR_JOBS = """
a high school chemistry teacher
a paramedic
a software engineer
a Peace Corps volunteer
a professional dancer
a research technician
a newspaper reporter
a pharmacist
an Army medic
"""

FUNDERS = """
an NIH career development award
a departmental pilot grant
a PCORI award
a private foundation grant
an institutional pilot award
a VA merit award
"""

SCHOOLS = """
the University of Michigan
Johns Hopkins
the University of Washington
UCSF
Emory
the University of Pittsburgh
Baylor
Northwestern
the University of Colorado
Vanderbilt
the University of Toronto
Duke
Washington University in St. Louis
"""
