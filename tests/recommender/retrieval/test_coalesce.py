"""Coalescing concurrent encode calls: right rows to each caller, fewer passes, errors shared."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from recommender.retrieval.coalesce import Coalescer


def fake_model(calls: list[int], delay: float = 0.01) -> object:
    """A stand-in for the model (its speed is what matters here): a text's vector is its
    length and its first character code."""

    def run(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        time.sleep(delay)
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)

    return run


def hammer(coalescer: Coalescer, threads: int, per_thread: int) -> list[str]:
    problems: list[str] = []

    def caller(i: int) -> None:
        for j in range(per_thread):
            texts = [f"{chr(65 + i)}{'x' * j}", f"{chr(97 + i)}{'y' * (i + j)}"]
            try:
                got = coalescer.encode(texts)
            except Exception as exc:
                problems.append(repr(exc))
                continue
            want = np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)
            if not np.array_equal(got, want):
                problems.append(f"caller {i} call {j}: {got.tolist()} != {want.tolist()}")

    pool = [threading.Thread(target=caller, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in pool), "a caller never returned"
    return problems


def test_every_caller_gets_its_own_rows_in_far_fewer_passes() -> None:
    calls: list[int] = []
    coalescer = Coalescer(fake_model(calls), max_texts=64)  # type: ignore[arg-type]
    assert hammer(coalescer, threads=16, per_thread=10) == []
    assert sum(calls) == 16 * 10 * 2
    assert len(calls) < 16 * 10 / 2  # shared passes
    assert max(calls) <= 64


def test_an_error_reaches_every_caller_of_that_pass_and_the_next_calls_work() -> None:
    failing = {"on": True}

    def run(texts: list[str]) -> np.ndarray:
        time.sleep(0.01)
        if failing["on"]:
            raise RuntimeError("model broke")
        return np.zeros((len(texts), 2), dtype=np.float32)

    coalescer = Coalescer(run)
    problems = hammer(coalescer, threads=6, per_thread=2)
    assert len(problems) == 12 and all("model broke" in p for p in problems)
    failing["on"] = False
    assert coalescer.encode(["ok"]).shape == (1, 2)


def test_a_lone_call_runs_at_once() -> None:
    calls: list[int] = []
    coalescer = Coalescer(fake_model(calls, delay=0))  # type: ignore[arg-type]
    assert coalescer.encode(["abc"]).tolist() == [[3.0, 97.0]]
    assert calls == [1]


@pytest.mark.parametrize("threads", [2, 32])
def test_no_caller_is_left_waiting(threads: int) -> None:
    calls: list[int] = []
    coalescer = Coalescer(fake_model(calls, delay=0.001), max_texts=4)  # type: ignore[arg-type]
    assert hammer(coalescer, threads=threads, per_thread=25) == []
