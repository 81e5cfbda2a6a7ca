"""Learned rankers on disk: one folder per model, the newest valid one served.

A folder holds ``ranker.json`` (the model, the features it reads, what it was trained on,
its validation metrics and a checksum of all of it) and ``MODEL_CARD.md`` (the same for
people). ``save_ranker`` writes both into a fresh folder and renames it into place, so a
reader never sees half a model. ``newest_ranker`` reads the folders newest first and
serves the first that loads: its checksum holds, its format is known and every feature
belongs to a signal the engine computes; the others are reported and skipped, and with
none the engine falls back to the default weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recommender.ranking.feature_ranker import FeatureRanker, signal_groups
from recommender.ranking.learned import MODELS, FeatureModel
from recommender.ranking.ranker import LinearRanker, Ranker
from recommender.ranking.registry import REGISTRY, SignalRegistry
from recommender.settings import Settings

__all__ = [
    "FORMAT",
    "MANIFEST",
    "Found",
    "load_ranker",
    "newest_ranker",
    "save_ranker",
    "served_ranker",
]

log = logging.getLogger(__name__)

FORMAT = "mentor-match-ranker/1"
MANIFEST = "ranker.json"
CARD = "MODEL_CARD.md"


def _checksum(record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def save_ranker(
    folder: Path,
    model: FeatureModel,
    importance: Mapping[str, float],
    trained_on: Mapping[str, Any],
    validation: Mapping[str, Any],
    card: str,
    created: datetime | None = None,
    calibration: tuple[float, float] = (1.0, 0.0),
) -> Path:
    """Write ``model`` and its card into ``folder`` (which must not exist yet), atomically.

    Args:
        importance: signal name → share of the model's weight (the explanations' weights).
        trained_on: the data: source, window, query and candidate counts.
        validation: the metrics on the later windows (JSON-ready).
        card: the model card's Markdown.
        calibration: ``(a, b)`` of the shown score ``σ(a·raw + b)``.
    """
    if folder.exists():
        raise FileExistsError(f"{folder}: a model of this name exists already")
    record: dict[str, Any] = {
        "format": FORMAT,
        "name": folder.name,
        "created": (created or datetime.now(UTC)).isoformat(timespec="seconds"),
        "learner": model.learner,
        "features": list(model.names),
        "importance": dict(importance),
        "calibration": list(calibration),
        "trained_on": dict(trained_on),
        "validation": dict(validation),
        "state": model.state(),
    }
    record["checksum"] = _checksum(record)
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        (partial / MANIFEST).write_text(json.dumps(record) + "\n")
        (partial / CARD).write_text(card)
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder


def load_ranker(folder: Path, registry: SignalRegistry = REGISTRY) -> FeatureRanker:
    """The ranker saved in ``folder``; ValueError saying why when it cannot be served."""
    path = folder / MANIFEST
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{folder}: no {MANIFEST}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: unreadable ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} file")
    if record.get("checksum") != _checksum(record):
        raise ValueError(f"{path}: checksum does not match (damaged or edited)")
    names = [str(n) for n in record["features"]]
    signals = list(registry.names)
    orphans = [
        n for n, row in zip(names, signal_groups(names, signals), strict=True) if not row.any()
    ]
    if orphans:
        raise ValueError(f"{path}: features of signals this engine lacks: {orphans[:5]}")
    kind = MODELS.get(str(record.get("learner")))
    if kind is None:
        raise ValueError(f"{path}: unknown learner {record.get('learner')!r}")
    model = kind.from_state(names, record["state"])
    a, b = (float(v) for v in record.get("calibration", (1.0, 0.0)))
    return FeatureRanker(model, record.get("importance"), str(record["name"]), registry, (a, b))


@dataclass
class Found:
    """What ``newest_ranker`` found: the ranker served (None: default weights) and the
    folders skipped, with why."""

    ranker: FeatureRanker | None
    skipped: dict[str, str] = field(default_factory=dict)


def _created(folder: Path) -> str:
    try:
        return str(json.loads((folder / MANIFEST).read_text()).get("created", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def newest_ranker(models: Path, registry: SignalRegistry = REGISTRY) -> Found:
    """The newest model in ``models`` that loads (by its ``created`` time, then name)."""
    found = Found(None)
    if not models.is_dir():
        return found
    folders = [p for p in models.iterdir() if p.is_dir() and not p.name.startswith(".")]
    for folder in sorted(folders, key=lambda p: (_created(p), p.name), reverse=True):
        if not (folder / MANIFEST).exists():
            continue
        try:
            found.ranker = load_ranker(folder, registry)
            return found
        except (ValueError, KeyError, TypeError) as exc:
            found.skipped[folder.name] = str(exc)
    return found


def served_ranker(settings: Settings) -> Ranker:
    """The ranker to serve: ``ranker_path``'s weights if set, else the newest learned model
    in the models folder that loads, else the default weights (what was skipped, logged)."""
    if settings.ranker_path:
        return LinearRanker.load(Path(settings.ranker_path))
    found = newest_ranker(settings.models_path)
    for name, why in found.skipped.items():
        log.warning("learned ranker %s not served: %s", name, why)
    if found.ranker is None:
        return LinearRanker()
    log.info("serving learned ranker %s (%s)", found.ranker.name, found.ranker.model.learner)
    return found.ranker
