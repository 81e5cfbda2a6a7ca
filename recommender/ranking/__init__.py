"""Ranking: the signal registry and signal functions, hard filters, the ranker, ordering
policies (diversify, specialty-first) and the explainer."""
