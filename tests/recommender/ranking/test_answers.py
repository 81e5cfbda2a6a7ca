"""The answer cache: least recently used out, emptied by a new stamp, never refilled by an
answer computed under an old one."""

from __future__ import annotations

from recommender.ranking.answers import AnswerCache


def test_a_new_stamp_empties_the_cache_and_old_answers_are_not_kept() -> None:
    cache: AnswerCache[str] = AnswerCache(max_items=10)
    assert cache.get(1, "a") is None
    cache.put(1, "a", "answer a")
    assert cache.get(1, "a") == "answer a"
    assert cache.get(2, "a") is None and len(cache) == 0  # the store moved on
    cache.put(1, "b", "computed before the write")  # a slow request finishing late
    assert cache.get(2, "b") is None and len(cache) == 0
    assert (cache.hits, cache.misses) == (1, 3)


def test_the_least_recently_used_answer_leaves_first() -> None:
    cache: AnswerCache[int] = AnswerCache(max_items=2)
    cache.get(0, "x")
    cache.put(0, "a", 1)
    cache.put(0, "b", 2)
    assert cache.get(0, "a") == 1  # "b" is now the oldest
    cache.put(0, "c", 3)
    assert cache.get(0, "b") is None
    assert cache.get(0, "a") == 1 and cache.get(0, "c") == 3


def test_a_cache_of_size_zero_keeps_nothing() -> None:
    cache: AnswerCache[int] = AnswerCache(max_items=0)
    cache.get(0, "a")
    cache.put(0, "a", 1)
    assert cache.get(0, "a") is None and len(cache) == 0
