"""Mentee-side text (data only): noise interests and goal sentences by stage.
One entry per line; ``{name}`` placeholders are filled per mentee."""

from __future__ import annotations

NOISE_INTERESTS = """
running
podcasts
rock climbing
cooking
photography
chess
soccer
baking
hiking
poetry
board games
jazz
cycling
yoga
music production
basketball
travel
"""

GOALS_PREMEDICAL = """
strengthen my medical school application
find clinical shadowing opportunities
decide between MD and MD-PhD programs
learn what medical school is actually like
figure out how to fit research into a busy undergrad schedule
"""

GOALS_EARLY = """
figure out whether I like procedural fields
explore {lay} and {lay2} before clerkships start
shadow someone and learn more about {para}
understand what a typical week looks like in {lay}
learn how to find a research project as a first-year
get advice on balancing board prep with research
find out if {lay} fits my personality
talk to someone about {para} and whether there's a career in it
figure out which specialties let me do both clinic and procedures
"""

GOALS_STUDENT = """
match into a competitive {lay} program
get honest feedback on my personal statement
learn to write my first case report
plan away rotations in {lay}
find a letter writer who actually knows my work
do a research project on {para} before applications
figure out how to make my {lay} application stand out
learn what {lay} residents wish they had known as students
"""

GOALS_RESIDENT = """
build a strong fellowship application in {lay}
publish a first-author paper on {para}
learn how to balance family and training
prepare for boards without burning out
decide between academic and community practice
start a quality improvement project on my unit
present a poster at a national meeting
get better at leading a team on call
find a research mentor for {para}
"""

GOALS_FELLOW = """
understand the job market after fellowship
negotiate my first faculty contract
write a career development award on {para}
build a niche clinic around {para}
figure out how to protect research time as junior faculty
"""

GOAL_OPENERS = """
I'd like to
Hoping to
Want to
My goal is to
Would love to
I want to
"""
