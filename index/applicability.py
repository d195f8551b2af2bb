"""How likely a hit's 罚则 is the one the agency would apply: a calibrated probability, its band and its evidence.

The ranking stage (:mod:`index.rerank`) only orders; its score says nothing about how sure the order is. This module
turns what is known at query time — the ranking model's score, its lead over the next hit and its distance from the
first, the rank, the query-level "something applies" confidence, whether a benchmark item cites the 罚则, whether the
罚则 was paired by retrieval rather than by the statute's own cross-reference, whether the text is a stand-in version —
into the probability that the hit's 罚则 (article level) is a 罚则 the agency cited.

It lives in ``index/`` because it is part of retrieval: its inputs are the ranking stage's, it is fitted against the
ranking model it calibrates and is saved beside it (``applicability.json``), and a search answer carries it on every
hit, so ``analyze`` gets it for free.

Fitting (``enforcement-helper build``, seconds) uses labelled queries the served ranking model never scored in
training, so the probabilities are not optimistic:

- the ranking model's own training queries (the tables' items, the parsed 广东 table, the real decisions' ``dev``
  split), each scored by a ranking model fitted on the other folds (5-fold, out of fold);
- the own dev set ``eval/retrieval_dev.jsonl`` (203 narratives with a gold 罚则 and 30 with none), which the ranking
  model never sees, scored by the served model.

The real decisions' ``holdout`` split and ``eval/retrieval_holdout2.jsonl`` are never read here
(``scripts/bench_calibration.py`` measures on them). The model is a logistic regression with sign constraints
(a higher ranking score, a larger lead, a smaller distance from the first never lower the probability), fitted by
L-BFGS-B with an L2 penalty: deterministic, no random state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from index.rerank import FEATURES as RANK_FEATURES, Reranker, TrainQuery, labels

FILE = "applicability.json"
FORMAT = 1  # bump when a feature is computed differently
TOP = 10  # hits per query used in fitting: what a person reads (lower hits only add easy negatives)
FOLDS = 5
L2 = 1.0

FEATURES: tuple[str, ...] = (
    "score",  # the ranking model's score (clipped: the 按日连续处罚 rule subtracts 100)
    "lead",  # score minus the next hit's (0 for the last)
    "behind",  # the first hit's score minus this one's (0 for the first)
    "rank",  # log(1 + rank − 1)
    "query_conf",  # the query-level "something applicable" confidence (index.calibration)
    "item_cites",  # a benchmark item whose title matched the query cites the hit or its 罚则
    "no_basis",  # no 罚则 paired with the hit
    "basis_retrieved",  # the 罚则 was paired by retrieval or by an item, not by the statute
    "stand_in",  # the text is the nearest stored version, not the one in force that day
    "query_len",  # log(1 + characters of the conduct)
)
# Sign constraints that make the probability monotone in the ranking: +1 never decreases, −1 never increases.
SIGNS: dict[str, int] = {"score": 1, "lead": 1, "behind": -1, "rank": -1, "query_conf": 1, "item_cites": 1,
                         "no_basis": -1, "stand_in": -1}  # fmt: skip
BANDS = ("high", "medium", "low")
BAND_ZH = {"high": "高", "medium": "中", "low": "低"}
# Bands: ``high`` needs the calibration hits at or above its threshold to be right at least this often; ``low`` starts
# where the calibration hits just below (a 0.1 window) were right at most this often.
HIGH_PRECISION = 0.85
LOW_PRECISION = 0.25

_COL = {f: i for i, f in enumerate(RANK_FEATURES)}
_SCORE_CLIP = 10.0


class ApplicabilityError(Exception):
    """A saved calibration that does not fit the ranking model (the caller says: run build)."""


def hit_features(z: np.ndarray, x: np.ndarray, conf: float | None, stand_in: Sequence[bool]) -> np.ndarray:
    """Calibration features of a query's hits, rows in ranking order (``z`` descending).

    Args:
        z: the ranking model's scores of the hits, in ranking order.
        x: their ranking feature rows (:data:`index.rerank.FEATURES`), same order.
        conf: the query-level confidence (None: 0.5, unknown).
        stand_in: whether each hit's text stands in for a version missing that day.
    """
    n = len(z)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    zc = np.clip(np.asarray(z, dtype=np.float64), -_SCORE_CLIP, _SCORE_CLIP)
    nxt = np.append(zc[1:], zc[-1])
    out[:, 0] = zc
    out[:, 1] = np.maximum(zc - nxt, 0.0)
    out[:, 2] = np.maximum(zc[0] - zc, 0.0)
    out[:, 3] = np.log1p(np.arange(n))
    out[:, 4] = 0.5 if conf is None else float(conf)
    out[:, 5] = (x[:, _COL["item_match"]] > 0).astype(np.float64)
    out[:, 6] = (x[:, _COL["basis_source"]] >= 4).astype(np.float64)
    out[:, 7] = np.isin(x[:, _COL["basis_source"]], (2, 3)).astype(np.float64)
    out[:, 8] = np.asarray(stand_in, dtype=np.float64)[:n]
    out[:, 9] = x[:, _COL["query_len"]]
    return out


@dataclass
class Applicability:
    """The fitted calibrator: standardised sign-constrained logistic regression plus band thresholds."""

    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    high: float
    low: float
    meta: dict[str, Any]

    def probabilities(self, f: np.ndarray) -> np.ndarray:
        """Probability per row of :func:`hit_features`."""
        if len(f) == 0:
            return np.zeros(0)
        zf = (np.asarray(f, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(1.0 / (1.0 + np.exp(-(zf @ np.asarray(self.coef) + self.intercept))))

    def band(self, p: float) -> str:
        """``high`` / ``medium`` / ``low`` of a probability."""
        return "high" if p >= self.high else "low" if p < self.low else "medium"

    def annotate(self, hits: Sequence[Any], z: np.ndarray, x: np.ndarray, conf: float | None,
                 threshold: float | None = None) -> None:
        """Set ``applicability`` on the first ``len(hits)`` hits of a ranking (``z``/``x`` may be longer: the
        candidates after the last returned hit still give its lead)."""
        n = len(z)
        stand_in = [getattr(h, "version_status", None) not in (None, "in_force") for h in hits]
        stand_in += [False] * (n - len(stand_in))
        f = hit_features(z, x, conf, stand_in)
        p = self.probabilities(f)
        shown = [float(getattr(h, "score", 0.0)) for h in hits]
        for i, h in enumerate(hits):
            h.applicability = {"probability": round(float(p[i]), 3), "band": self.band(float(p[i])),
                               "evidence": evidence(i, shown, f[i], conf, threshold, h)}  # fmt: skip

    # ---- persistence ----------------------------------------------------------------------------------------
    def save(self, index_dir: Path) -> None:
        """Write ``applicability.json`` beside the ranking model."""
        body = {"format": FORMAT, "features": list(FEATURES), "mean": self.mean, "scale": self.scale,
                "coef": self.coef, "intercept": self.intercept, "high": self.high, "low": self.low, **self.meta}
        (Path(index_dir) / FILE).write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, index_dir: Path, ranker_meta: dict[str, Any]) -> Applicability:
        """The calibration saved beside the ranking model it was fitted for.

        Raises:
            ApplicabilityError: none saved, other features, or fitted for another ranking model.
        """
        path = Path(index_dir) / FILE
        if not path.exists():
            raise ApplicabilityError("适用概率校准缺失：请运行 enforcement-helper build")
        d = json.loads(path.read_text(encoding="utf-8"))
        if d.get("format") != FORMAT or tuple(d.get("features", ())) != FEATURES:
            raise ApplicabilityError("适用概率校准与当前特征不一致：请运行 enforcement-helper build")
        if d.get("ranker") != ranker_fingerprint(ranker_meta):
            raise ApplicabilityError("适用概率校准不是为当前排序模型拟合的：请运行 enforcement-helper build")
        meta = {k: v for k, v in d.items() if k not in ("format", "features", "mean", "scale", "coef", "intercept",
                                                         "high", "low")}  # fmt: skip
        return cls(d["mean"], d["scale"], d["coef"], float(d["intercept"]), float(d["high"]), float(d["low"]), meta)


def evidence(i: int, shown: Sequence[float], f: np.ndarray, conf: float | None, threshold: float | None,
             hit: Any) -> list[str]:
    """Short Chinese reasons for and against a hit's probability (what an officer can check)."""
    out: list[str] = []
    if i == 0:
        lead = shown[0] - shown[1] if len(shown) > 1 else None
        out.append("排序第一" + (f"，领先第二名 {lead:.2f}" if lead is not None else ""))
    else:
        out.append(f"排序第{i + 1}，落后第一名 {shown[0] - shown[i]:.2f}")
    col = {name: j for j, name in enumerate(FEATURES)}
    if f[col["item_cites"]]:
        out.append("裁量基准事项引用同一罚则")
    if f[col["no_basis"]]:
        out.append("未配对到罚则")
    elif f[col["basis_retrieved"]]:
        out.append("罚则为检索配对（条文未明文援引）")
    if f[col["stand_in"]]:
        out.append("非当日版本")
    if conf is not None and threshold is not None and conf < threshold:
        out.append(f"整体匹配置信度低（{conf:.2f}）")
    return out


def context_only(app: dict[str, Any] | None) -> dict[str, Any] | None:
    """A hit's applicability when the description states compliance or no finding: the provision is only a rule that
    was checked, so it is ``low`` whatever the ranking says (its probability is kept, for the record)."""
    if app is None:
        return None
    return {**app, "band": "low", "evidence": ["描述载明未发现违法：仅为已核查的规定", *app.get("evidence", [])]}


def ranker_fingerprint(meta: dict[str, Any]) -> str:
    """What a calibration is tied to: the ranking model's training key (its index, data and parameters)."""
    key = meta.get("key") or {k: meta.get(k) for k in ("index", "format", "rounds", "seed")}
    return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------------- fitting


@dataclass
class Collected:
    """One labelled query's candidates in fused order, as the ranking stage sees them."""

    qid: str
    source: str
    x: np.ndarray
    y: np.ndarray  # 2: the hit's 罚则 is a gold 罚则 (article level); 1: only its 违则; 0: neither
    conf: float | None
    stand_in: list[bool]


def collect(searcher: Any, queries: Sequence[TrainQuery], candidates: int,
            progress: Callable[[int], None] | None = None) -> list[Collected]:
    """Candidates, features and labels of each query (a query without a gold 罚则 is a negative: every label 0)."""
    out = []
    for q in queries:
        res = searcher.search(q.query, as_of=q.as_of, top_k=candidates, region=q.region, use_today=True,
                              rerank=False, exclude_item_title=q.exclude_title, with_features=True)  # fmt: skip
        hits = [h.to_dict() for h in res.hits]
        if hits:
            out.append(Collected(q.qid, q.source, np.asarray(res.rank_features, dtype=np.float32),
                                 labels(hits, q.basis, q.violated), res.confidence,
                                 [h.version_status not in (None, "in_force") for h in res.hits]))  # fmt: skip
        if progress:
            progress(1)
    return out


def ranked_rows(c: Collected, scores: np.ndarray, top: int = TOP) -> tuple[np.ndarray, np.ndarray]:
    """Calibration features and correctness (0/1) of a query's first ``top`` hits once ranked by ``scores``."""
    order = np.argsort(-scores, kind="stable")
    z, x = scores[order], c.x[order]
    f = hit_features(z, x, c.conf, [c.stand_in[i] for i in order])
    return f[:top], (c.y[order][:top] == 2).astype(np.float64)


def oof_rows(train: Sequence[Collected], folds: int = FOLDS) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows of the ranking model's training queries, each scored by a model fitted on the other folds."""
    from index import rerank

    fs, ys, src = [], [], []
    for k in range(folds):
        fit_on = [c for i, c in enumerate(train) if i % folds != k]
        booster = rerank.fit([c.x for c in fit_on], [c.y for c in fit_on])
        model = Reranker(booster, rerank.Priors(()), {})
        for i, c in enumerate(train):
            if i % folds == k:
                f, y = ranked_rows(c, model.scores(c.x))
                fs.append(f)
                ys.append(y)
                src += [c.source] * len(y)
    return np.vstack(fs), np.concatenate(ys), src


def fit_logistic(f: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[list[float], list[float], list[float], float]:
    """Sign-constrained L2 logistic regression on standardised features (L-BFGS-B: deterministic)."""
    from scipy.optimize import minimize  # type: ignore[import-untyped]

    mean = f.mean(axis=0)
    scale = f.std(axis=0)
    scale[scale < 1e-9] = 1.0
    zf = (f - mean) / scale
    n, d = zf.shape

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        t = zf @ w[:d] + w[d]
        p = 1.0 / (1.0 + np.exp(-t))
        ll = np.sum(np.logaddexp(0.0, t) - y * t) / n + 0.5 * l2 * float(w[:d] @ w[:d]) / n
        g = (p - y) / n
        return ll, np.append(zf.T @ g + l2 * w[:d] / n, g.sum())

    bounds = [(0.0, None) if SIGNS.get(name) == 1 else (None, 0.0) if SIGNS.get(name) == -1 else (None, None)
              for name in FEATURES] + [(None, None)]  # fmt: skip
    res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 1000, "gtol": 1e-8})  # fmt: skip
    w = res.x
    return mean.tolist(), scale.tolist(), [round(float(v), 6) for v in w[:d]], round(float(w[d]), 6)


def choose_bands(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Band thresholds on the calibration rows.

    ``high``: the lowest threshold (0.50 … 0.95) whose hits at or above it were right ≥ :data:`HIGH_PRECISION`.
    ``low``: below the highest threshold (0.10 … high) such that in every 0.1 window under it the hits were right
    ≤ :data:`LOW_PRECISION` (a hit in ``low`` is wrong at least three times in four).
    """
    grid = [round(0.5 + 0.05 * i, 2) for i in range(10)]
    high = next((t for t in grid if (p >= t).sum() >= 20 and y[p >= t].mean() >= HIGH_PRECISION), 0.95)
    low = 0.1
    for t in [round(0.1 + 0.05 * i, 2) for i in range(int((high - 0.1) / 0.05) + 1)]:
        window = (p >= t - 0.1) & (p < t)
        if t >= high or (window.any() and y[window].mean() > LOW_PRECISION):
            break
        low = t
    return high, low


def own_dev_queries(path: Path) -> list[TrainQuery]:
    """The own dev set as queries (negatives keep empty golds); its ``region`` when given, else every province."""
    from index.evaluate import load_dev
    from nlp.regions import normalize_region

    out = []
    for d in load_dev(path):
        region = normalize_region(d["region"]) if d.get("region") else None
        out.append(TrainQuery(d["id"], d["query"], date.fromisoformat(d["as_of"]) if d.get("as_of") else None,
                              region, tuple(d.get("basis") or ()), tuple(d.get("violated") or ()), "own_dev"))
    return out


def ranker_queries(searcher: Any, real_path: Path, table_path: Path | None) -> list[TrainQuery]:
    """The queries the ranking model trains on (:func:`index.rerank.train`): items, the parsed table, real dev."""
    from index import rerank
    from index.evaluate import load_real

    items = searcher.items.records if searcher.items is not None else []
    table = rerank.table_queries(table_path) if table_path is not None and table_path.exists() else []
    real = rerank.real_queries(load_real(real_path, "dev")) if real_path.exists() else []
    return rerank.item_queries(items) + table + real


def calibrate(searcher: Any, ranker: Reranker, train_queries: Sequence[TrainQuery], own_dev: Sequence[TrainQuery],
              progress: Callable[[int], None] | None = None) -> tuple[Applicability, dict[str, Any]]:
    """Fit the calibration for ``ranker`` (attached or not) and return it with its fitting rows' summary."""
    cands = ranker.candidates
    train = collect(searcher, train_queries, cands, progress)
    dev = collect(searcher, own_dev, cands, progress)
    f_oof, y_oof, _ = oof_rows(train)
    dev_rows = [ranked_rows(c, ranker.scores(c.x)) for c in dev]
    f_dev = np.vstack([f for f, _ in dev_rows])
    y_dev = np.concatenate([y for _, y in dev_rows])
    f, y = np.vstack([f_oof, f_dev]), np.concatenate([y_oof, y_dev])
    mean, scale, coef, intercept = fit_logistic(f, y)
    model = Applicability(mean, scale, coef, intercept, 0.0, 0.0, {})
    p = model.probabilities(f)
    model.high, model.low = choose_bands(p, y)
    model.meta = {"ranker": ranker_fingerprint(ranker.meta), "top": TOP, "folds": FOLDS, "l2": L2,
                  "fitted_on": {"ranker_training_queries_out_of_fold": len(train), "own_dev_queries": len(dev),
                                "rows": int(len(y)), "positives": int(y.sum())},
                  "bands": {"high": f"p ≥ {model.high}: calibration hits at or above were right "
                                    f"≥ {HIGH_PRECISION:.0%}",
                            "low": f"p < {model.low}: calibration hits in each 0.1 window below were right "
                                   f"≤ {LOW_PRECISION:.0%}"}}
    return model, {"f": f, "y": y, "p": p}


def ensure_calibrated(searcher: Any, ranker: Reranker, index_dir: Path, real_path: Path, table_path: Path | None,
                      own_dev_path: Path, progress: Callable[[int], None] | None = None) -> tuple[Applicability, bool]:
    """The calibration for ``ranker`` (the model saved in ``index_dir``): loaded when fitted for it on the same own
    dev set, else fitted and saved beside it. Returns it and whether it was fitted now."""
    data = hashlib.sha256(own_dev_path.read_bytes() if own_dev_path.exists() else b"-").hexdigest()[:16]
    try:
        loaded = Applicability.load(index_dir, ranker.meta)
        if loaded.meta.get("own_dev") == data:
            return loaded, False
    except ApplicabilityError:
        pass
    dev = own_dev_queries(own_dev_path) if own_dev_path.exists() else []
    model, _ = calibrate(searcher, ranker, ranker_queries(searcher, real_path, table_path), dev, progress)
    model.meta["own_dev"] = data
    model.save(index_dir)
    return model, True


def reliability(p: np.ndarray, y: np.ndarray, edges: Sequence[float] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7,
                                                                           0.8, 0.9, 1.0001)) -> dict[str, Any]:
    """Reliability table (bands of predicted probability → count, mean predicted, share correct) and the expected
    calibration error (count-weighted |mean predicted − share correct|)."""
    rows = []
    ece = 0.0
    n = len(p)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (p >= lo) & (p < hi)
        if not m.any():
            continue
        mp, acc = float(p[m].mean()), float(y[m].mean())
        ece += m.sum() / n * abs(mp - acc)
        rows.append({"band": f"[{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}", "n": int(m.sum()),
                     "mean_predicted": round(mp, 3), "share_correct": round(acc, 3)})
    return {"rows": rows, "ece": round(ece, 4) if n else None, "n": n}

