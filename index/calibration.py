"""The calibrated "nothing applicable" signal.

e5 cosines are compressed (unrelated pairs score ~0.84–0.88, matches ~0.90–0.94; research note §4), so a fixed
cosine threshold is meaningless. Instead a logistic model over score-shape features (top dense cosine, its margin
over the dense background, top BM25 score per query character and its margin) is fitted on the dev set's positive
queries and its negatives (descriptions of lawful conduct, off-topic text), and the threshold is set so that
≥ 95 % of real violation descriptions keep their results. Fitted parameters live in ``index/no_match.json``, keyed
by encoder name and sparse tokenizer; an index without a fitted entry never claims "no match" except when nothing
at all was retrieved.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_PATH = Path(__file__).with_name("no_match.json")
FEATURES = ("dense_top", "dense_margin", "sparse_top_per_char", "sparse_margin")


def query_features(dense_top: np.ndarray, sparse_scores: np.ndarray | None, query_chars: int) -> np.ndarray:
    """Score-shape features of one query.

    Args:
        dense_top: dense scores of the top rows, best first (may be empty).
        sparse_scores: BM25 scores of every eligible passage (None if no sparse backend).
        query_chars: length of the (conduct-filtered) query.
    """
    d1 = float(dense_top[0]) if len(dense_top) else 0.0
    dm = d1 - float(np.mean(dense_top[1:20])) if len(dense_top) > 1 else 0.0
    if sparse_scores is not None and len(sparse_scores):
        k = min(20, len(sparse_scores))
        top = -np.partition(-sparse_scores, k - 1)[:k]
        top.sort()
        top = top[::-1]
        s1 = float(top[0])
        sm = (s1 - float(np.mean(top[1:]))) / (s1 + 1e-6) if s1 > 0 and k > 1 else 0.0
    else:
        s1, sm = 0.0, 0.0
    return np.array([d1, dm, s1 / max(query_chars, 1), sm], dtype=np.float64)


@dataclass
class NoMatchCalibrator:
    """Logistic model over :data:`FEATURES`; ``confidence`` < ``threshold`` means "nothing applicable"."""

    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float
    key: str = ""
    fitted_on: dict[str, Any] | None = None

    def confidence(self, feats: np.ndarray) -> float:
        z = (np.asarray(feats, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept))))

    @staticmethod
    def key_for(encoder_name: str | None, config: Any) -> str:
        units = ",".join(getattr(config, "dense_units", ()) or ())
        return f"{encoder_name}|{getattr(config, 'sparse_tokenizer', '')}|{units}"

    @classmethod
    def fit(
        cls,
        pos: Sequence[np.ndarray],
        neg: Sequence[np.ndarray],
        key: str = "",
        keep_positive: float = 0.95,
    ) -> NoMatchCalibrator:
        """Fit on feature rows of positive (violation) and negative (nothing applicable) queries.

        The threshold is the highest that still keeps ``keep_positive`` of the positives.
        """
        from sklearn.linear_model import LogisticRegression

        x = np.vstack([np.asarray(pos), np.asarray(neg)])
        y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
        mean, scale = x.mean(0), x.std(0)
        scale[scale < 1e-9] = 1.0
        lr = LogisticRegression(C=1.0, class_weight="balanced").fit((x - mean) / scale, y)
        self = cls(mean.tolist(), scale.tolist(), lr.coef_[0].tolist(), float(lr.intercept_[0]), 0.5, key,
                   {"positives": len(pos), "negatives": len(neg), "keep_positive": keep_positive})  # fmt: skip
        conf_pos = np.sort([self.confidence(f) for f in pos])
        self.threshold = float(conf_pos[int(np.floor((1 - keep_positive) * len(conf_pos)))]) - 1e-6
        return self

    def to_json(self) -> dict:
        return asdict(self)

    def save(self, path: Path = DEFAULT_PATH) -> None:
        """Add or replace this calibrator's entry in the JSON file."""
        path = Path(path)
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        data[self.key] = self.to_json()
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def default_for(cls, encoder_name: str | None, config: Any, path: Path = DEFAULT_PATH) -> NoMatchCalibrator | None:
        """The fitted calibrator for this encoder and index config, if any."""
        if not Path(path).is_file():
            return None
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        d = data.get(cls.key_for(encoder_name, config))
        return cls(**d) if d else None
