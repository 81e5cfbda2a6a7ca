"""Synthetic sample cohort generator: deterministic from a seed, with planted truth.

``generate(seed)`` builds mentors, mentees, feedback history and the planted truth;
``write(cohort, out_dir)`` writes them as JSONL plus a data card. The data is synthetic: no real
people.
"""

from __future__ import annotations

from recommender.samplegen.generate import SampleCohort, generate, write

__all__ = ["SampleCohort", "generate", "write"]
