"""Feedback comments of the synthetic history, by tone (data only; one per line).

``history.py`` picks from ``COMMENTS_<tone>`` with tone ``GOOD``, ``MIXED`` or ``POOR``."""

from __future__ import annotations

COMMENTS_GOOD = """
Always made time for me even during busy weeks.
Gave honest, specific feedback on my personal statement.
Connected me with two research projects.
Super approachable and genuinely invested in my growth.
Helped me think through my specialty choice without pushing.
Best mentor I have had so far.
Very responsive and organized.
Introduced me to people in the field and opened doors.
Great at explaining things at my level.
Checked in regularly, which kept me on track.
Wrote me a strong letter and helped me plan my rotations.
"""

COMMENTS_MIXED = """
Helpful when we met, but meetings were hard to schedule.
Knowledgeable, though feedback was sometimes vague.
Good advice on research, less on career planning.
Friendly but often rescheduled.
Useful for specific questions; not very proactive.
Solid mentor, we just did not meet often.
"""

COMMENTS_POOR = """
Hard to reach; we met only once.
Did not seem interested in mentoring.
Cancelled several meetings without notice.
Advice felt generic.
Not a good fit for what I needed.
"""
