"""Tier suggestion: facts of a description → tier of a matched enforcement item, fine, reasons, reminders.

Order of reasoning (DOMAIN.md §3, §5):

1. **Facts** (``nlp.facts.extract_facts``) become values for the predicate fields the benchmark tables use
   (超标倍数, 违法次数, 违法所得, 面积, 拒不改正 …). Circumstances that a description does not mention are taken as
   absent (an officer states aggravating and mitigating facts); numbers that are not mentioned stay unknown.
2. **Band** (R5.1): the tier whose parsed conditions the facts meet; if several, the more serious one
   (R3.12). When the conditions are written in words or turn on unknown facts, a trained classifier
   (multilingual-e5 embeddings, or TF-IDF, plus predicate features → logistic regression with calibrated
   probabilities) scores the item's tiers.
3. **Adjustment** (R5.1, R3.9–R3.12): statutory rules override the table — 不予处罚 (处罚法 第三十条、第三十一条、
   第三十三条, limitation 第三十六条), 从轻/减轻 (第三十二条), and 从重 cues; same-direction circumstances add up, opposite
   ones cancel (R3.12). Nothing said in 陈述申辩 or a hearing request ever moves a case up (R3.13).
4. **Fine** (R5.10): the statutory clause the facts meet, the band inside it, the position set by the
   adjustment, multiples computed from 违法所得/货值金额 when known (and said so when not), rounded inside the band.
5. **Reminders**: 首违不罚 may apply; 听证 at this amount (R4.4); 当场处罚 allowed (R4.2); limitation run out (R2.5);
   benchmark or statute not valid on the dates (R2.6, R2.9).
"""

from __future__ import annotations

import functools
import math
import pickle
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.benchmarks.conditions import evaluate, parse_conditions
from corpus.benchmarks.schema import LEVELS, EnforcementItem, Predicate, Tier
from nlp.errors import EHError
from nlp.facts import Fact, Facts, extract_facts
from nlp.spans import SpanMask

if TYPE_CHECKING:
    # sklearn ships no type information: these name what the attributes hold (Any to mypy).
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

__all__ = [
    "FEATURE_FIELDS",
    "load_or_train",
    "load_tier_model",
    "TierModelNotBuilt",
    "no_penalty_list_reminders",
    "training_rows",
    "TierModel",
    "TierSuggestion",
    "facts_to_fields",
    "predicate_features",
    "suggest_tier",
]

# ------------------------------------------------------------------------------------------- facts → fields

# Boolean predicate fields and the fact codes that set them (+1 / −1 polarity). Closed world: a circumstance
# the description does not mention counts as absent.
_BOOL_FIELDS: dict[str, tuple[tuple[str, int, bool], ...]] = {
    # field: ((fact code, polarity, value), ...) first match wins
    "首次违法": (("first_offence", 1, True), ("first_offence", -1, False)),
    "拒不改正": (("refused_to_correct", 1, True), ("corrected_promptly", 1, False)),
    "及时改正": (("corrected_promptly", 1, True), ("corrected_promptly", -1, False), ("refused_to_correct", 1, False)),
    "严重后果": (("serious_consequence", 1, True), ("no_harm", 1, False), ("minor_harm", 1, False)),
    "危害后果": (("serious_consequence", 1, True), ("no_harm", 1, False)),
    "危害后果轻微": (("minor_harm", 1, True), ("no_harm", 1, True), ("serious_consequence", 1, False)),
    "主动消除危害": (("mitigated_harm", 1, True),),
    "弄虚作假": (("evidence_tampering", 1, True),),
    "暴力抗法": (("obstructed_inspection", 1, True),),
}
_MONEY_FIELDS = {
    "illegal_gains": "违法所得",
    "goods_value": "货值金额",
    "sales": "销售额",
    "construction_cost": "工程造价",
    "investment": "总投资额",
}
_DAYS = {"日": 1.0, "天": 1.0, "工作日": 1.4, "周": 7.0, "月": 30.0, "年": 365.0, "小时": 1 / 24, "分钟": 1 / 1440}


def facts_to_fields(facts: Facts, ignore: Sequence[tuple[int, int]] = ()) -> tuple[dict[str, Any], dict[str, Fact]]:
    """Values for the predicate fields, and the fact behind each (for spans in the reasons).

    Args:
        facts: Extracted facts.
        ignore: Spans whose heavier facts must not count (陈述申辩, R3.13).
    """
    ignored = _mask(ignore)

    def usable(f: Fact) -> bool:
        return not ignored.overlaps(f.span[0], f.span[0] + 1)

    vals: dict[str, Any] = {}
    src: dict[str, Fact] = {}
    by_code: dict[tuple[str, int], Fact] = {}
    for f in facts.facts:
        if f.polarity is not None and usable(f):
            key = (f.code, f.polarity)
            if key not in by_code or (by_code[key].derived and not f.derived):
                by_code[key] = f
    for fld, rules in _BOOL_FIELDS.items():
        vals[fld] = False if fld not in ("及时改正", "首次违法") else None
        for code, pol, value in rules:
            if (code, pol) in by_code:
                vals[fld], src[fld] = value, by_code[(code, pol)]
                break
    for f in facts.facts:
        if not usable(f):
            continue
        if f.type == "money" and f.code in _MONEY_FIELDS and _MONEY_FIELDS[f.code] not in vals:
            vals[_MONEY_FIELDS[f.code]], src[_MONEY_FIELDS[f.code]] = f.value / 100, f
        elif f.type in ("multiple", "percent") and f.code == "exceedance" and "超标倍数" not in vals:
            vals["超标倍数"], src["超标倍数"] = float(f.value), f
            if f.type == "percent":
                vals["占比"], src["占比"] = float(f.attrs.get("percent", float(f.value) * 100)), f
        elif f.type == "count" and f.code in ("nth_time", "times") and isinstance(f.value, int):
            vals["违法次数"], src["违法次数"] = max(vals.get("违法次数", 0), f.value), f
        elif f.type == "area" and "面积" not in vals:
            mult = {"亩": 666.67, "公顷": 10000.0, "平方公里": 1e6}.get(f.unit or "", 1.0)
            vals["面积"], src["面积"] = float(f.value) * mult, f
        elif f.type == "quantity" and f.unit == "处" and "处数" not in vals:
            vals["处数"], src["处数"] = float(f.value), f
        elif f.type == "quantity" and f.unit in ("吨", "立方米", "千克", "公斤") and "数量" not in vals:
            vals["数量"], src["数量"] = float(f.value) / (1000 if f.unit in ("千克", "公斤") else 1), f
        elif f.type == "duration" and f.code == "duration" and "持续时间" not in vals:
            vals["持续时间"], src["持续时间"] = float(f.value) * _DAYS.get(f.unit or "日", 1.0), f
    if "违法次数" not in vals:
        rep = by_code.get(("repeated", 1)) or by_code.get(("prior_penalty", 1)) or by_code.get(("first_offence", -1))
        if rep is not None:
            vals["违法次数"], src["违法次数"] = 2, rep  # at least the second time
        elif vals.get("首次违法") is True:
            vals["违法次数"], src["违法次数"] = 1, src["首次违法"]
        else:
            vals["违法次数"] = 1  # closed world: no earlier violation is mentioned
    return vals, src


# ------------------------------------------------------------------------------------------- features

FEATURE_FIELDS = ("超标倍数", "违法次数", "面积", "数量", "违法所得", "货值金额", "持续时间", "超标分贝", "存栏量", "超标因子数", "指标数")
_FLAG_FIELDS = ("拒不改正", "严重后果", "危害后果", "环境敏感区", "首次违法", "弄虚作假", "暴力抗法", "及时改正", "危害后果轻微")


def predicate_features(preds: Sequence[Predicate]) -> np.ndarray:
    """Fixed-length features from parsed predicates: log magnitudes of thresholds and signed cue flags.

    For each numeric field: log1p of its lower bound and of its upper bound (0 if absent) and a presence bit;
    for each cue field: +1 / −1 / 0. Used for condition texts at training time and for the description's
    facts (as equality predicates) at inference time, so both sides speak the same language.
    """
    v = np.zeros(len(FEATURE_FIELDS) * 3 + len(_FLAG_FIELDS), dtype=np.float32)
    for p in preds:
        if p.field in FEATURE_FIELDS and not isinstance(p.value, (bool, str)):
            i = FEATURE_FIELDS.index(p.field) * 3
            x = math.log1p(max(float(p.value), 0.0))
            if p.op in (">", ">=", "=="):
                v[i] = max(v[i], x)
            if p.op in ("<", "<=", "=="):
                v[i + 1] = max(v[i + 1], x)
            v[i + 2] = 1.0
        elif p.field in _FLAG_FIELDS and isinstance(p.value, bool):
            v[len(FEATURE_FIELDS) * 3 + _FLAG_FIELDS.index(p.field)] = 1.0 if p.value else -1.0
    return v


def _fields_as_predicates(vals: dict[str, Any]) -> list[Predicate]:
    out = []
    for k, v in vals.items():
        if v is None:
            continue
        if isinstance(v, bool):
            if v:  # closed-world False values carry no signal for the classifier
                out.append(Predicate(field=k, op="==", value=True))
        else:
            out.append(Predicate(field=k, op="==", value=float(v)))
    return out


# ------------------------------------------------------------------------------------------- classifier


@functools.lru_cache(maxsize=1)
def _blas_controller() -> Any:
    """The process's BLAS libraries, found once: a fresh ``threadpool_limits`` rescans them on every call (~3 ms)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


class TierModel:
    """Calibrated severity classifier (1–5) over condition or description texts.

    The text part of the vector is ``text``: ``"tfidf"`` (character 1–3-grams), ``"e5"`` (standardised
    multilingual-e5 query embeddings from ``encoder``, any object with ``encode_queries``; see ``nlp.encoders``)
    or ``"hybrid"`` (both; the default when an encoder is given — it did best held out by violation, see
    ``scripts/bench_tiers.py``). ``"none"`` leaves only the predicate features (the predicates-only baseline).
    Predicate features (:func:`predicate_features`) are appended with weight ``feature_weight``.
    """

    def __init__(self, encoder: Any | None = None, text: str = "auto", feature_weight: float = 0.5,
                 C: float = 2.0) -> None:
        if text == "auto":
            text = "hybrid" if encoder is not None else "tfidf"
        if text in ("e5", "hybrid") and encoder is None:
            raise ValueError(f"text={text!r} needs an encoder")
        self.encoder = encoder
        self.text = text
        self.feature_weight = feature_weight
        self.C = C
        self.tfidf: TfidfVectorizer | None = None
        self.scaler: StandardScaler | None = None
        self.clf: CalibratedClassifierCV | LogisticRegression | None = None
        self.classes_: list[int] = []

    @property
    def kind(self) -> str:
        """What the vector holds: ``tfidf``, ``e5``, ``hybrid`` (e5+tfidf) or ``none`` (predicates only)."""
        return self.text

    def _text_matrix(self, texts: Sequence[str], fit: bool, embeddings: np.ndarray | None = None) -> Any:
        from scipy import sparse

        parts = [sparse.csr_matrix((len(texts), 0), dtype=np.float32)]
        if self.text in ("tfidf", "hybrid"):
            from sklearn.feature_extraction.text import TfidfVectorizer

            if fit:
                tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                                        dtype=np.float32)
                self.tfidf = tfidf
                parts.append(tfidf.fit_transform(texts))
            else:
                assert self.tfidf is not None
                parts.append(self.tfidf.transform(texts))
        if self.text in ("e5", "hybrid"):
            emb = np.asarray(embeddings, dtype=np.float32) if embeddings is not None else self._encode(texts)
            if self.text == "e5":
                # unit vectors with tiny spread: standardise so a moderate C can use them
                from sklearn.preprocessing import StandardScaler

                if fit:
                    self.scaler = StandardScaler().fit(emb)
                assert self.scaler is not None
                emb = self.scaler.transform(emb).astype(np.float32) * (4.0 / math.sqrt(emb.shape[1]))
            parts.append(sparse.csr_matrix(emb))
        return sparse.hstack(parts, format="csr")

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        """e5 query vectors of ``texts`` (float32), for the ``e5`` and ``hybrid`` kinds."""
        # __init__ refuses those kinds without an encoder; only a model loaded without one can get here with None.
        assert self.encoder is not None, f"text={self.text!r} needs an encoder"
        return np.asarray(self.encoder.encode_queries(list(texts)), dtype=np.float32)

    def _matrix(self, texts: Sequence[str], feats: np.ndarray, fit: bool, embeddings: np.ndarray | None = None) -> Any:
        from scipy import sparse

        f = sparse.csr_matrix(np.asarray(feats, dtype=np.float32) * self.feature_weight)
        return sparse.hstack([self._text_matrix(texts, fit, embeddings), f], format="csr")

    def fit(self, texts: Sequence[str], feats: np.ndarray, labels: Sequence[int], calibrate: bool = True) -> TierModel:
        """Train on condition texts, their predicate features and severities 1–5."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        x = self._matrix(texts, feats, fit=True)
        y = np.asarray(labels)
        base = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        counts = np.bincount(y)
        folds = int(min(3, counts[counts > 0].min())) if calibrate else 0
        clf = CalibratedClassifierCV(base, method="sigmoid", cv=folds) if folds >= 2 else base
        self.clf = clf
        # One BLAS thread: on two busy cores a threaded BLAS made this fit 100× slower (measured).
        with threadpool_limits(limits=1):
            clf.fit(x, y)
        self.classes_ = [int(c) for c in clf.classes_]
        return self

    def predict_proba(self, texts: Sequence[str], feats: np.ndarray, embeddings: np.ndarray | None = None) -> np.ndarray:
        """Probabilities over ``classes_`` (rows sum to 1).

        ``embeddings`` (e5 query vectors of ``texts``) may be passed when the caller already has them, so the
        model does not encode again. One text goes through :class:`_LinearHead` (the same arithmetic in numpy);
        sklearn's per-call input validation cost ~9 ms of a ~30 ms analyze.
        """
        assert self.clf is not None, "model not trained"
        head = self._head()
        if head is not None and len(texts) == 1:
            emb = None
            if self.text in ("e5", "hybrid"):
                emb = (np.asarray(embeddings, dtype=np.float32) if embeddings is not None
                       else self._encode(texts))[0]
            return head.predict_proba(texts[0], emb, np.asarray(feats, dtype=np.float32)[0])[None, :]
        x = self._matrix(texts, feats, fit=False, embeddings=embeddings)
        with _blas_controller().limit(limits=1):
            proba: np.ndarray = self.clf.predict_proba(x)  # sklearn is untyped: its arrays are Any to mypy
        return proba

    def _head(self) -> _LinearHead | None:
        """The fitted model as a :class:`_LinearHead`, built once (None when the classifier is not the calibrated
        logistic regression this class trains)."""
        if "_linear_head" not in self.__dict__:
            self.__dict__["_linear_head"] = _LinearHead.from_model(self)
        head: _LinearHead | None = self.__dict__["_linear_head"]
        return head

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_linear_head", None)  # derived; rebuilt from the sklearn objects after loading
        return state

    def tier_probs(self, text: str, feats: np.ndarray, severities: Sequence[int | None],
                   embedding: np.ndarray | None = None) -> np.ndarray:
        """Probability of each candidate tier: each severity's mass goes to the tier(s) nearest in severity."""
        emb = None if embedding is None else np.asarray(embedding, dtype=np.float32).reshape(1, -1)
        p = self.predict_proba([text], feats[None, :], emb)[0]
        return project(p, self.classes_, severities)

    def save(self, path: Path) -> None:
        """Persist (the encoder itself is not saved; pass it again on load)."""
        import joblib

        enc, self.encoder = self.encoder, None
        try:
            joblib.dump({"model": self, "encoder_name": getattr(enc, "name", None)}, path)
        finally:
            self.encoder = enc

    @classmethod
    def load(cls, path: Path, encoder: Any | None = None) -> TierModel:
        """Load a saved model; ``encoder`` must be the one it was trained with (checked by name)."""
        import joblib

        try:
            blob = joblib.load(path)
        except ModuleNotFoundError as exc:
            if exc.name != _MOVED_FROM:
                raise
            blob = _load_moved(Path(path))
        model: TierModel = blob["model"]
        if blob.get("encoder_name") and getattr(encoder, "name", None) != blob["encoder_name"]:
            raise ValueError(f"tier model was trained with encoder {blob['encoder_name']!r}")
        model.encoder = encoder
        return model


# TierModel lived in nlp/tiers.py before the layers were enforced (#14): files saved then name that module.
_MOVED_FROM = "nlp.tiers"


def _load_moved(path: Path) -> Any:
    """A model file saved when TierModel was ``nlp.tiers.TierModel``: the old name points here for this load only."""
    import joblib

    sys.modules[_MOVED_FROM] = sys.modules[__name__]
    try:
        return joblib.load(path)
    finally:
        del sys.modules[_MOVED_FROM]


class _LinearHead:
    """``TierModel.predict_proba`` for one text in plain numpy: TF-IDF features, the linear decision of each
    fold's logistic regression, its per-class sigmoid calibration, normalisation and the mean over folds, as
    sklearn's ``CalibratedClassifierCV(method="sigmoid")`` computes them (tests/analysis/test_tiers.py checks the two
    agree)."""

    def __init__(self, model: TierModel, folds: list[tuple[np.ndarray, ...]], n_classes: int) -> None:
        tf = model.tfidf
        self.analyzer = tf.build_analyzer() if tf is not None else None
        self.vocab: dict[str, int] = dict(tf.vocabulary_) if tf is not None else {}
        self.idf = np.asarray(tf.idf_, dtype=np.float64) if tf is not None else np.zeros(0)
        self.sublinear = bool(tf.sublinear_tf) if tf is not None else False
        self.scaler = model.scaler if model.text == "e5" else None
        self.weight = model.feature_weight
        self.n_tfidf = len(self.vocab)
        self.folds = folds  # (W: classes×features, b, class positions, sigmoid a, sigmoid b)
        self.n_classes = n_classes

    @classmethod
    def from_model(cls, model: TierModel) -> _LinearHead | None:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        clf = model.clf
        if not isinstance(clf, CalibratedClassifierCV) or clf.method != "sigmoid" or len(clf.classes_) <= 2:
            return None
        if model.tfidf is not None and (model.tfidf.norm != "l2" or not model.tfidf.use_idf):
            return None
        full = list(clf.classes_)
        folds: list[tuple[np.ndarray, ...]] = []
        for cc in clf.calibrated_classifiers_:
            est = cc.estimator
            if not isinstance(est, LogisticRegression):
                return None
            pos = np.array([full.index(c) for c in est.classes_])
            cal = cc.calibrators
            # sklearn pairs the decision columns with the positive classes by zip: a two-class fold has one column
            n = min(len(pos), est.coef_.shape[0], len(cal))
            folds.append((np.asarray(est.coef_, dtype=np.float64)[:n], np.asarray(est.intercept_, dtype=np.float64)[:n],
                          pos[:n], np.array([c.a_ for c in cal[:n]], dtype=np.float64),
                          np.array([c.b_ for c in cal[:n]], dtype=np.float64)))
        return cls(model, folds, len(full))

    def _tfidf(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        if self.analyzer is not None:
            for g in self.analyzer(text):
                j = self.vocab.get(g)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        val = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            val = np.log(val) + 1.0
        val = val * self.idf[idx] if len(idx) else val
        norm = float(np.sqrt((val * val).sum()))
        return idx, (val / norm if norm > 0 else val).astype(np.float32)

    def predict_proba(self, text: str, emb: np.ndarray | None, feats: np.ndarray) -> np.ndarray:
        """Probabilities over the model's classes for one text, its e5 vector (if the model uses one) and its
        predicate features."""
        idx, val = self._tfidf(text)
        dense: list[np.ndarray] = []
        if emb is not None:
            if self.scaler is not None:
                emb = ((emb - self.scaler.mean_) / self.scaler.scale_).astype(np.float32) * (4.0 / math.sqrt(len(emb)))
            dense.append(emb.astype(np.float32))
        dense.append(feats.astype(np.float32) * np.float32(self.weight))
        rest = np.concatenate(dense).astype(np.float64)
        mean = np.zeros(self.n_classes)
        for w, b, pos, a, c in self.folds:
            d = w[:, idx] @ val.astype(np.float64) + w[:, self.n_tfidf:] @ rest + b
            proba = np.zeros(self.n_classes)
            proba[pos] = 1.0 / (1.0 + np.exp(a * d + c))
            total = proba.sum()
            mean += proba / total if total != 0 else np.full(self.n_classes, 1.0 / self.n_classes)
        return mean / len(self.folds)


class TierModelNotBuilt(EHError):
    """No usable tier model at the path: none saved, or one trained for another text kind or encoder."""

    code = "not_built"


def load_tier_model(path: Path, encoder: Any | None = None, text: str = "auto") -> TierModel:
    """The tier model saved at ``path``; never trains (serving only loads what the build made).

    Raises:
        TierModelNotBuilt: nothing saved, or the saved model is of another kind or encoder (the message, in
            Chinese, says which).
    """
    want = ("hybrid" if encoder is not None else "tfidf") if text == "auto" else text
    if not Path(path).is_file():
        raise TierModelNotBuilt("阶次模型尚未训练")
    try:
        saved = TierModel.load(Path(path), encoder)
    except (ValueError, EOFError, AttributeError, ImportError, pickle.UnpicklingError) as exc:
        # another encoder, or a file of an older version
        raise TierModelNotBuilt(f"阶次模型已过期（与当前编码器或版本不符：{exc}）") from None
    if saved.kind != want:
        raise TierModelNotBuilt(f"阶次模型已过期（训练时的文本特征为 {saved.kind}，当前设置为 {want}）")
    return saved


def load_or_train(path: Path | None, items: Sequence[EnforcementItem], encoder: Any | None = None,
                  text: str = "auto") -> TierModel:
    """The tier model saved at ``path``, or a new one trained on ``items`` (tiers with a severity) and saved.

    Training on the 江门 table (866 conditions) takes a few seconds with TF-IDF and about half a minute with e5
    on two cores; ``enforcement-helper build`` does it once per data directory, and again when ``text`` asks for
    another kind of model. Serving calls :func:`load_tier_model`, which never trains.
    """
    want = ("hybrid" if encoder is not None else "tfidf") if text == "auto" else text
    if path is not None:
        try:
            saved = load_tier_model(Path(path), encoder, text)
            if _MOVED_FROM.encode() in Path(path).read_bytes():
                saved.save(Path(path))  # the build rewrites a file that names the old module, same model
            return saved
        except TierModelNotBuilt:
            pass  # none yet, or another kind: train
    texts, feats, labels, _ = training_rows(items)
    if not texts:
        raise ValueError("no tier with a severity and a condition to train on")
    model = TierModel(encoder=encoder if want in ("e5", "hybrid") else None, text=want).fit(texts, feats, labels)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        model.save(Path(path))
    return model


def project(p: np.ndarray, classes: Sequence[int], severities: Sequence[int | None]) -> np.ndarray:
    """Move severity probabilities onto an item's tiers (nearest severity; ties share)."""
    sev = [s if s is not None else 3 for s in severities]
    out = np.zeros(len(sev))
    for c, pc in zip(classes, p, strict=True):
        d = [abs(s - c) for s in sev]
        best = min(d)
        idx = [i for i, x in enumerate(d) if x == best]
        for i in idx:
            out[i] += pc / len(idx)
    total = out.sum()
    return out / total if total > 0 else np.full(len(sev), 1 / len(sev))


def training_rows(items: Sequence[EnforcementItem]) -> tuple[list[str], np.ndarray, list[int], list[str]]:
    """(condition texts, predicate features, severities, group ids) from benchmark items with severities."""
    texts, feats, labels, groups = [], [], [], []
    for it in items:
        for t in it.tiers:
            if t.severity is None or not t.condition:
                continue
            texts.append(t.condition)
            feats.append(predicate_features(t.predicates))
            labels.append(int(t.severity))
            groups.append(it.id)
    return texts, np.vstack(feats) if feats else np.zeros((0, len(predicate_features([])))), labels, groups


# ------------------------------------------------------------------------------------------- output


@dataclass
class Factor:
    """A circumstance that moved the result, with where it was said."""

    code: str
    label: str
    direction: int  # −1 lighter, +1 heavier, 0 information / blocking
    text: str | None
    span: tuple[int, int] | None
    rule: str
    note: str | None = None


@dataclass
class Reminder:
    """Something the officer must know or decide."""

    code: str
    message: str
    rule: str
    blocking: bool = False


@dataclass
class TierSuggestion:
    """The answer for one matched item."""

    item_id: str
    tier: dict[str, Any]
    adjustment: str
    method: str
    probabilities: list[dict[str, Any]]
    factors: list[Factor]
    fine: dict[str, Any]
    reminders: list[Reminder]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        d = asdict(self)
        for f in d["factors"]:
            f["span"] = list(f["span"]) if f["span"] else None
        return d


# ------------------------------------------------------------------------------------------- statutory rules

# Cues → (direction, rule). −1 lighter, +1 heavier.
_LIGHTER = {
    "mitigated_harm": "处罚法 第三十二条第（一）项（应当从轻或者减轻）",
    "coerced": "处罚法 第三十二条第（二）项（应当从轻或者减轻）",
    "confessed_unknown": "处罚法 第三十二条第（三）项（应当从轻或者减轻）",
    "meritorious_service": "处罚法 第三十二条第（四）项（应当从轻或者减轻）",
    "age_14_to_18": "处罚法 第三十条（应当从轻或者减轻）",
    "partial_mental_incapacity": "处罚法 第三十一条（可以从轻或者减轻）",
    "cooperated": "地方裁量基准从轻情形（如沪消裁量规定 第六条）；R3.10",
    "self_reported": "地方裁量基准从轻情形；R3.10",
}
_MANDATORY_LIGHTER = {"mitigated_harm", "coerced", "confessed_unknown", "meritorious_service", "age_14_to_18"}
_HEAVIER = {
    "refused_to_correct": "法典 第一千零五十六条第一款；江门裁量规定 第五条；R3.11",
    "serious_consequence": "法典 第一千零五十六条第一款；江门裁量规定 第五条第三款；R3.11",
    "evidence_tampering": "沪消裁量规定 第八条（五）；R3.11",
    "obstructed_inspection": "沪消裁量规定 第八条（四）；R3.11",
    "repeat_despite_enforcement": "江门裁量规定 第五条第二款；R3.11",
    "prior_penalty": "江门裁量规定 第五条第二款（两年内同类处罚）；R3.11",
    "repeated": "江门裁量规定 第五条第二款；R3.11",
    "emergency_period": "处罚法 第四十九条（依法快速、从重）；R3.11",
    "involves_minors": "地方裁量基准从重情形；R3.11",
    "serious_circumstances": "罚则“情节严重的”条款；R3.11",
}

# 听证 thresholds ("较大数额", R4.4): (domain prefix or "*", party, fine ≥ yuan, source, verified?)
HEARING_THRESHOLDS: tuple[tuple[str, str, float, str, bool], ...] = (
    ("治安", "any", 4000, "治安法 第一百一十七条第一款", True),
    ("消防", "individual", 2000, "公安程序规定(2019) 第一百二十三条第二款（法规库所存文本，请核实是否现行有效）", False),
    ("消防", "organization", 10000, "公安程序规定(2019) 第一百二十三条第二款（法规库所存文本，请核实是否现行有效）", False),
    ("道路交通", "individual", 2000, "公安程序规定(2019) 第一百二十三条第二款（法规库所存文本，请核实是否现行有效）", False),
    ("道路交通", "organization", 10000, "公安程序规定(2019) 第一百二十三条第二款（法规库所存文本，请核实是否现行有效）", False),
    ("生态环境", "individual", 5000, "环境行政处罚办法(2010) 第七十八条（已被取代；2023年办法不在法规库中，请核实）", False),
    ("生态环境", "organization", 50000, "环境行政处罚办法(2010) 第七十八条（已被取代；2023年办法不在法规库中，请核实）", False),
)
_HEARING_TYPES = {"吊销许可证件", "降低资质等级", "责令停产停业", "责令关闭", "限制从业", "限制开展生产经营活动"}
# A sentence that reports 陈述申辩 / 听证. Tried only where a sentence starts: a sentence without those words
# would otherwise be retried from each of its characters, reading to its end each time.
_STATEMENT_RE = re.compile(r"(?<![^。；\n])[^。；\n]*(?:陈述申辩|陈述、申辩|申辩|陈述意见|听证)[^。；\n]*[。；]?")


def _mask(spans: Sequence[tuple[int, int]]) -> SpanMask:
    mask = SpanMask(max((e for _s, e in spans), default=0))
    for s, e in spans:
        mask.add(s, e)
    return mask


# Fields where a violation "涉及公民生命健康安全、金融安全" (处罚法 第三十六条第一款: five years once harm resulted).
_LIFE_OR_FINANCE = ("市场监管/食品", "食品", "药品", "医疗", "卫生", "安全生产", "消防", "特种设备", "金融", "银行", "保险", "证券")
_BUILT_WITHOUT_APPROVAL = re.compile(r"未批先建|未依法报批|未经批准.*(?:建设|开工)|环境影响评价文件.*(?:开工|建设)")


def _limitation(domain: str, has_harm: bool, title: str = "") -> tuple[timedelta, str]:
    """The 追责时效 for an item (R2.5): period and the rule it comes from."""
    five = timedelta(days=5 * 365 + 1)
    if domain.startswith("治安"):
        return timedelta(days=183), "治安法 第二十五条（六个月）"
    if domain.startswith("税务"):
        return five, "税收征收管理法 第八十六条（五年）"
    if domain.startswith("生态环境") and has_harm:
        return five, "法典 第一千零五十四条第一款（造成污染、破坏的，五年）"
    if has_harm and domain.startswith(_LIFE_OR_FINANCE):
        return five, "处罚法 第三十六条第一款（涉及公民生命健康安全、金融安全且有危害后果的，五年）"
    if _BUILT_WITHOUT_APPROVAL.search(title or ""):
        return timedelta(days=2 * 365), "处罚法 第三十六条第一款（二年）；未批先建意见 二（二）（自建设行为终了之日起计算）"
    return timedelta(days=2 * 365), "处罚法 第三十六条第一款（二年）"


def statutory_tier(facts: Facts) -> tuple[str, list[dict[str, str]]]:
    """从轻, 一般 or 从重 from the stated circumstances alone (no benchmark item), with the grounds.

    Circumstances of both directions cancel out to 一般, as no general rule ranks one over the other.
    """
    # facts.polarity(c) is facts.cue(c).polarity: binding the cue once lets the text be read without a None check
    light = [{"code": c, "text": (f.text or c), "rule": r} for c, r in _LIGHTER.items()
             if (f := facts.cue(c)) is not None and f.polarity == 1]
    heavy = [{"code": c, "text": (f.text or c), "rule": r} for c, r in _HEAVIER.items()
             if (f := facts.cue(c)) is not None and f.polarity == 1]
    if light and not heavy:
        return "从轻", light
    if heavy and not light:
        return "从重", heavy
    return "一般", light + heavy


def limitation_period(item: EnforcementItem | None) -> tuple[timedelta, str]:
    """The shortest 追责时效 that may apply to ``item`` (no harm shown; the general two years without an item):
    past it, the discovery date decides."""
    return _limitation(item.domain, False, item.title) if item is not None else _limitation("", False)


def _fact_factor(f: Fact | None, code: str, label: str, direction: int, rule: str, note: str | None = None) -> Factor:
    return Factor(code, label, direction, f.text if f else None, f.span if f else None, rule, note)


# ------------------------------------------------------------------------------------------- suggestion


def suggest_tier(
    description: str | Facts,
    item: EnforcementItem,
    model: TierModel | None = None,
    *,
    decision_date: date | None = None,
    violation_date: date | None = None,
    discovery_date: date | None = None,
    party_type: str | None = None,
    statements: str | None = None,
    rounding: int = 100,
    embedding: np.ndarray | None = None,
) -> TierSuggestion:
    """Suggest the tier, fine and reminders for a description matched to ``item``.

    Args:
        description: The officer's description, or facts already extracted from it.
        item: The matched enforcement item.
        model: Trained :class:`TierModel`; without one, conditions in words fall back to the middle tier.
        decision_date: Planned decision date (R2.9 validity, R2.2); today by default.
        violation_date: When the violation ended (R2.3, R2.5).
        discovery_date: When it was discovered (R2.5).
        party_type: ``individual`` or ``organization`` (selects the statutory clause: pitfall (c)).
        statements: Text of the 陈述申辩 / hearing; it may only help the party (R3.13).
        rounding: Rounding unit in yuan for the suggested amount (R5.10 step 6).
        embedding: The description's e5 query embedding, if the caller already computed it.
    """
    facts = description if isinstance(description, Facts) else extract_facts(description)
    text = facts.text
    decision_date = decision_date or date.today()
    party = party_type or (item.party if item.party != "any" else None)
    factors: list[Factor] = []
    reminders: list[Reminder] = []

    # R3.13: spans of the description that report 陈述申辩 / 听证, plus a separate statements text.
    ignore = [m.span() for m in _STATEMENT_RE.finditer(text)]
    ignored = _mask(ignore)
    vals, src = facts_to_fields(facts, ignore)
    f: Fact | None  # the fact behind a factor; the loops below reuse the name, some with no fact (None)
    for f in facts.facts:
        if f.polarity == 1 and f.code in _HEAVIER and ignored.overlaps(f.span[0], f.span[0] + 1):
            factors.append(_fact_factor(f, f.code, f.label or f.code, 0, "处罚法 第四十五条第二款；R3.13",
                                        "系陈述申辩或听证中的陈述：不得因此加重处罚"))
    extra_light: list[Fact] = []
    if statements:
        st = extract_facts(statements)
        for f in st.facts:
            if f.polarity == 1 and f.code in _LIGHTER:
                extra_light.append(f)
            elif f.polarity == 1 and f.code in _HEAVIER:
                factors.append(Factor(f.code, f.label or f.code, 0, f.text, None, "处罚法 第四十五条第二款；R3.13",
                                      "来自陈述申辩：不作为加重处罚的依据"))

    # ---- band
    tiers = list(item.tiers)
    probs_out: list[dict[str, Any]] = []
    chosen, method, prob = _choose_band(tiers, vals, text, model, probs_out, embedding, known=set(src))
    if method == "default" and chosen is not None:
        reminders.append(Reminder("tier_default", f"描述未写明阶次条件涉及的事实：按默认阶次“{chosen.source_label}”建议"
                                  f"（概率 {prob:.2f} 为估计值，不是确定结论），请核实", "R5.1；R5.4（第八条 一般情形）"))
    band_spans: set[tuple[int, int]] = set()  # facts that chose the band: they do not move the position too
    if chosen is not None:
        for p in chosen.predicates:
            if p.field in src and p.test(vals.get(p.field)):
                f = src[p.field]
                band_spans.add(f.span)
                factors.append(_fact_factor(f, f"band:{p.field}", p.describe(), 0, "裁量基准阶次条件（R5.1）",
                                            f"符合阶次“{chosen.source_label}”的条件：{p.text}"))
        # a band whose condition names the cue (「经责令改正拒不改正的」), however it was chosen
        band_spans |= {f.span for f in facts.facts if f.type == "cue" and f.polarity == 1
                           and f.text and f.text in (chosen.condition or "")}

    # ---- statutory overrides and adjustment
    adjustment = "一般"
    pol = {code: facts.polarity(code) for code in {f.code for f in facts.facts if f.polarity is not None}}
    no_penalty: list[tuple[str, str, Fact | None]] = []
    if pol.get("under_14") == 1:
        no_penalty.append(("under_14", "处罚法 第三十条（不满十四周岁，不予处罚）", facts.cue("under_14")))
    if pol.get("mental_illness") == 1:
        no_penalty.append(("mental_illness", "处罚法 第三十一条（不能辨认或者控制自己行为时，不予处罚）", facts.cue("mental_illness")))
    if pol.get("no_fault") == 1:
        no_penalty.append(("no_fault", "处罚法 第三十三条第二款（足以证明没有主观过错，不予处罚）", facts.cue("no_fault")))
    minor = pol.get("minor_violation") == 1
    corrected = pol.get("corrected_promptly") == 1
    harmless = pol.get("no_harm") == 1
    if minor and corrected and harmless:
        no_penalty.append(("minor_corrected_harmless", "处罚法 第三十三条第一款（违法行为轻微并及时改正，没有造成危害后果的，不予处罚）",
                           facts.cue("minor_violation")))
    expired, lim_rule = _limitation_expired(item, facts, vals, violation_date, discovery_date)
    if expired:
        no_penalty.append(("limitation_expired", f"处罚法 第三十六条；{lim_rule}", facts.cue("undiscovered_two_years")))
        reminders.append(Reminder("limitation_expired", "追责时效已过：不再给予行政处罚（不予处罚决定）", lim_rule, True))
    if chosen is not None and chosen.level == "不予处罚":
        # a 不予处罚 list item (R5.7): its conditions decide; the statutory ground is always shown
        binding, rem = _list_verdict(item, chosen, vals)
        if binding:
            no_penalty.append(("no_penalty_list", rem.rule, None))
        else:
            reminders.append(rem)
    for code, rule, f in no_penalty:
        factors.append(_fact_factor(f, code, "不予处罚", -1, rule))
    if no_penalty:
        adjustment = "不予处罚"
        reminders.append(Reminder("no_penalty", "具有法定不予处罚情形：制作不予行政处罚决定书并对当事人进行教育（处罚法 第三十三条第三款）",
                                  no_penalty[0][1], True))

    first = pol.get("first_offence") == 1
    slight = pol.get("minor_harm") == 1 or harmless
    if not no_penalty and first and slight:
        msg = ("首违不罚可能适用：初次违法且危害后果轻微" + ("并已及时改正，可以不予行政处罚"
               if corrected else "；若在责令改正期限内改正，可以不予行政处罚"))
        reminders.append(Reminder("first_offence_no_penalty", msg, "处罚法 第三十三条第一款第二句（可以）"))
    elif (not no_penalty and first and pol.get("serious_consequence") != 1 and pol.get("corrected_promptly") != -1
          and not vals.get("拒不改正")):
        reminders.append(Reminder("first_offence_no_penalty",
                                  "首违不罚可能适用：初次违法；请核实危害后果是否轻微并在责令改正期限内改正",
                                  "处罚法 第三十三条第一款第二句（可以）"))

    def in_band(f: Fact | None) -> bool:
        return f is not None and f.span in band_spans

    lighter = [(c, _LIGHTER[c], facts.cue(c)) for c in _LIGHTER if pol.get(c) == 1 and not in_band(facts.cue(c))]
    lighter += [(f.code, _LIGHTER[f.code] + "（陈述申辩）", None) for f in extra_light if f.code not in pol]
    heavier = []
    for c in _HEAVIER:
        f = facts.cue(c)
        if pol.get(c) == 1 and f is not None and not ignored.overlaps(f.span[0], f.span[0] + 1):
            if in_band(f):
                factors.append(_fact_factor(f, c, f.label or c, 0, "R3.12；R5.1（已用于选择阶次）",
                                            "已用于选择阶次，不再重复用于确定幅度内的位置"))
                continue
            heavier.append((c, _HEAVIER[c], f))
    if not no_penalty:
        for code, rule, f in lighter:
            factors.append(_fact_factor(f, code, (f.label if f else code) or code, -1, rule))
        for code, rule, f in heavier:
            factors.append(_fact_factor(f, code, f.label or code, +1, rule))
        net = len(heavier) - len(lighter)  # R3.12: same direction adds, opposite cancels
        # a mandatory ground that chose the band still opens 减轻 (R3.10) and still bars 从重
        mandatory = any(c in _MANDATORY_LIGHTER for c, _, _ in lighter) or any(
            pol.get(c) == 1 and in_band(facts.cue(c)) for c in _MANDATORY_LIGHTER)
        adjustment = "从重" if net > 0 else ("从轻" if net < 0 else "一般")
        if mandatory and adjustment == "从重":
            adjustment = "一般"
            reminders.append(Reminder("mandatory_lighter", "存在应当从轻或者减轻的法定情形，不得从重（与从重情节相抵）",
                                      "处罚法 第三十二条；R3.12"))
        if mandatory:
            reminders.append(Reminder("mitigation_option", "可考虑减轻处罚（低于法定最低限度），须经集体讨论",
                                      "处罚法 第三十二条；沪消裁量规定 第七条第二款；R3.10"))

    # ---- fine
    fine = _fine(chosen, item, vals, src, adjustment, party, rounding)

    # ---- procedure reminders
    _procedure_reminders(item, chosen, fine, party, adjustment, reminders)
    _validity_reminders(item, decision_date, violation_date, reminders)
    if party and item.party not in ("any", party):
        reminders.append(Reminder("party_mismatch", f"该事项适用于{'单位' if item.party == 'organization' else '个人'}，"
                                  f"当事人为{'单位' if party == 'organization' else '个人'}：请核对罚则的款（单位/个人分款）",
                                  "单位/个人分款（陷阱(c)）"))

    tier_out = {
        "label": adjustment if adjustment == "不予处罚" else (chosen.level if chosen else "一般"),
        "rank": LEVELS.index("不予处罚") if adjustment == "不予处罚" else (chosen.level_rank if chosen else 3),
        "probability": round(float(prob), 4),
        "source_label": chosen.source_label if chosen else None,
        "source_rank": chosen.source_rank if chosen else None,
        "severity": chosen.severity if chosen else None,
        "condition": chosen.condition if chosen else None,
    }
    return TierSuggestion(item.id, tier_out, adjustment, method, probs_out, factors, fine, reminders)


def _choose_band(tiers: list[Tier], vals: dict[str, Any], text: str, model: TierModel | None,
                 probs_out: list[dict[str, Any]], embedding: np.ndarray | None = None,
                 known: set[str] | None = None) -> tuple[Tier | None, str, float]:
    """Pick the band: predicates first (the more serious of the tiers met, R3.12), the classifier otherwise.

    ``known``: fields the description states. A tier met only through closed-world defaults (nothing it tests is
    stated) or chosen as the written default (「不具有…情形」) is reported as ``default`` with the classifier's
    probability (without a model: 1 / number of tiers), never 1.0.
    """
    penal = [t for t in tiers if t.level != "不予处罚"]
    if not penal:
        return (tiers[0] if tiers else None), "list", 1.0
    verdict = [evaluate(t.predicates, vals) if t.predicates else None for t in penal]
    # A tier written as the default ("不具有…情形") applies when no other tier's condition is met or open.
    default = [i for i, t in enumerate(penal) if not t.predicates and re.search(r"不具有|其他情形|一般情形", t.condition)]
    true_idx = [i for i, v in enumerate(verdict) if v is True]
    by_default = False
    if not true_idx and default and not [i for i, v in enumerate(verdict) if v is None and i not in default]:
        true_idx, by_default = default, True
    rivals: list[int] = []
    if true_idx:
        best = max(true_idx, key=lambda i: (penal[i].level_rank, penal[i].severity or 0))
        rivals = [i for i, v in enumerate(verdict) if v is None and i not in default
                  and (penal[i].severity or 0) > (penal[best].severity or 0)]

    def scores(mask: bool = True) -> tuple[np.ndarray, str]:
        if model is not None:
            feats = predicate_features(_fields_as_predicates(vals))
            p = model.tier_probs(text, feats, [t.severity for t in penal], embedding)
            kind = f"classifier:{model.kind}"
        else:  # no model: the middle tier (江门裁量规定 第八条 "适中"), then uniform
            p = np.array([1.0 if t.level == "一般" else 0.0 for t in penal])
            kind = "fallback:middle"
        if mask:  # unmasked: the model's own view, for a default reached through closed-world "absent" values
            p = np.where(np.array([v is False for v in verdict]), 0.0, p)
        if p.sum() == 0:
            p = np.array([0.0 if v is False else 1.0 for v in verdict])
        if p.sum() == 0:
            p = np.ones(len(penal))
        return p / p.sum(), kind

    final = np.zeros(len(penal))
    if true_idx and known is not None and not by_default:
        by_default = not ({p.field for p in penal[best].predicates} & known)
    if true_idx and not rivals and by_default:
        p, _ = scores(mask=False)
        prob = float(p[best]) if model is not None else 1 / len(penal)
        final[best], method = prob, "default"
    elif true_idx and not rivals:
        final[best], prob, method = 1.0, 1.0, "predicates"
    elif true_idx:
        p, _ = scores()
        q = p[best] + sum(p[i] for i in rivals)
        prob = float(p[best] / q) if q > 0 else 1 / (1 + len(rivals))
        final[best] = prob
        for i in rivals:
            final[i] = (1 - prob) * p[i] / max(sum(p[j] for j in rivals), 1e-12)
        method = "predicates"
    else:
        final, method = scores()
        best = int(np.argmax(final))
        prob = float(final[best])
    for t, v, q in zip(penal, verdict, final, strict=True):
        probs_out.append({"source_label": t.source_label, "level": t.level, "severity": t.severity,
                          "conditions_met": v, "probability": round(float(q), 4)})
    return penal[best], method, prob


def _list_verdict(item: EnforcementItem, tier: Tier, vals: dict[str, Any]) -> tuple[bool, Reminder]:
    """A 不予处罚 list item's conditions against the facts (R5.7): (binding 不予处罚?, reminder with the ground)."""
    met = evaluate(tier.predicates, vals) if tier.predicates else None
    label = f"{item.source.title}（{item.source.doc_no or ''}）{item.source.label or ''}".strip()
    rule = f"{tier.statutory_ground or '处罚法 第三十三条'}；{label}"
    cond = (tier.condition or item.title)[:60]
    if met is True and not (tier.remark and "可以" in tier.remark):
        return True, Reminder("no_penalty_list_met", f"符合不予处罚清单事项的条件，应当不予处罚：{cond}", rule, True)
    if met is False:
        return False, Reminder("no_penalty_list_not_met", f"不予处罚清单事项的条件不满足：{cond}", rule)
    return False, Reminder("no_penalty_list_may_apply",
                           f"可能适用不予处罚清单（{'依法可以不予处罚' if met else '需核实条件'}）：{cond}", rule)


def no_penalty_list_reminders(description: str | Facts, items: Sequence[EnforcementItem]) -> list[Reminder]:
    """Reminders for matched 不予处罚 list items (R5.7), evaluated against the facts; never a tier source."""
    facts = description if isinstance(description, Facts) else extract_facts(description)
    vals, _ = facts_to_fields(facts, [m.span() for m in _STATEMENT_RE.finditer(facts.text)])
    out = []
    for item in items:
        tier = next((t for t in item.tiers if t.level == "不予处罚"), None)
        if tier is not None:
            out.append(_list_verdict(item, tier, vals)[1])
    return out


def _limitation_expired(item: EnforcementItem, facts: Facts, vals: dict[str, Any], violation_date: date | None,
                        discovery_date: date | None) -> tuple[bool, str]:
    harm = bool(vals.get("严重后果") or vals.get("危害后果"))
    period, rule = _limitation(item.domain, harm, item.title)
    if facts.polarity("undiscovered_two_years") == 1 and period <= timedelta(days=2 * 365):
        return True, rule
    if violation_date and discovery_date and discovery_date - violation_date > period:
        return True, rule
    return False, rule


def _yuan_round(x: Decimal, unit: int, lo: Decimal | None, hi: Decimal | None) -> Decimal:
    u = Decimal(unit)
    if hi is not None and hi < u * 10:
        u = Decimal(10) if hi >= 100 else Decimal(1)
    r = (x / u).quantize(Decimal(1), rounding=ROUND_HALF_UP) * u
    if lo is not None and r < lo:
        r = lo
    if hi is not None and r > hi:
        r = hi
    return r


def _condition_holds(cond: str | None, vals: dict[str, Any]) -> bool | None:
    if not cond:
        return True
    preds, _ = parse_conditions(cond)
    if not preds:
        return None
    return evaluate(preds, vals)


def _fine(tier: Tier | None, item: EnforcementItem, vals: dict[str, Any], src: dict[str, Fact], adjustment: str,
          party: str | None, rounding: int) -> dict[str, Any]:
    out: dict[str, Any] = {"min": None, "max": None, "suggested": None, "unit": "元", "arithmetic": [], "note": None,
                           "statutory": [f.describe() for f in item.statutory_fines], "clause": None}
    if adjustment == "不予处罚":
        out["note"] = "不予处罚：不计算罚款"
        return out
    if tier is None or not tier.fines:
        out["note"] = "该阶次没有罚款幅度（可能仅警告、拘留或其他处罚种类）"
        return out
    # R5.10 step 1: the statutory clause the facts meet (货值金额不足一万元的 / 情节严重的 / 单位 / 个人 …)
    cands = []
    for band in tier.fines:
        if band.target == "直接责任人员" or (party and band.target in ("个人", "单位")
                                           and band.target != ("个人" if party == "individual" else "单位")):
            continue
        cands.append((band, _condition_holds(band.condition, vals)))
    met = [b for b, h in cands if h is True and b.condition]
    plain = [b for b, h in cands if not b.condition]
    unknown = [b for b, h in cands if h is None]
    choice = met[-1] if met else (plain[0] if plain else (unknown[0] if unknown else None))
    if choice is None:
        out["note"] = "事实未满足任何罚款条款的条件（如“拒不改正的”），本阶次不处罚款"
        return out
    if unknown and not met:
        out["note"] = ("罚款条款取决于描述中没有的事实（" + "；".join(b.condition or "" for b in unknown)
                       + "）：按" + ("基本条款" if choice in plain else f"“{choice.condition}”") + "计算，请核实")
    out["clause"] = choice.condition
    steps = out["arithmetic"]
    steps.append(f"罚款幅度（阶次 {tier.source_label}）：{choice.describe()}" + (f"，条件：{choice.condition}" if choice.condition else ""))
    lo = Decimal(str(choice.min)) if choice.min is not None else None
    hi = Decimal(str(choice.max)) if choice.max is not None else None
    if choice.kind != "amount":
        base_name = choice.base or "基数"
        base_val = vals.get(base_name)
        if base_val is None:
            out["note"] = f"该幅度以{base_name}计算，但描述中没有{base_name}金额：需要执法人员核定基数（R5.10 第1步）"
            out["base_needed"] = base_name
            return out
        base = Decimal(str(base_val))
        factor = Decimal(100) if choice.kind == "percent" else Decimal(1)
        unit = "%" if choice.kind == "percent" else "倍"
        where = f"（{src[base_name].text}）" if base_name in src else ""
        if lo is not None:
            steps.append(f"下限：{base_name} {base:,.2f} 元{where} × {lo}{unit} = {(base * lo / factor):,.2f} 元")
            lo = base * lo / factor
        if hi is not None:
            steps.append(f"上限：{base_name} {base:,.2f} 元 × {hi}{unit} = {(base * hi / factor):,.2f} 元")
            hi = base * hi / factor
    lo_eff = lo if lo is not None else Decimal(0)
    if hi is None:
        out["note"] = "幅度只有下限，无法确定建议金额"
        out["min"] = float(lo_eff)
        return out
    # R5.10 step 3: position by adjustment (从轻 → bottom, 一般 → middle, 从重 → top; 江门裁量规定 第五条/第六条/第八条)
    pos = {"从轻": Decimal(0), "一般": Decimal("0.5"), "从重": Decimal(1), "减轻": Decimal(0)}[adjustment]
    raw = lo_eff + (hi - lo_eff) * pos
    steps.append(f"位置：{adjustment} → 区间 {lo_eff:,.2f}–{hi:,.2f} 元的 {int(pos * 100)}% 处 = {raw:,.2f} 元")
    sug = _yuan_round(raw, rounding, lo_eff, hi)
    if sug != raw:
        steps.append(f"取整：按 {rounding} 元取整且不出幅度 → {sug:,.2f} 元")
    out.update(min=float(lo_eff), max=float(hi), suggested=float(sug))
    return out


def _procedure_reminders(item: EnforcementItem, tier: Tier | None, fine: dict[str, Any], party: str | None,
                         adjustment: str, reminders: list[Reminder]) -> None:
    if adjustment == "不予处罚":
        return
    amount = fine.get("suggested")
    types = set(tier.penalty_types) if tier else set()
    # R4.4 听证
    heavy_types = types & _HEARING_TYPES
    if heavy_types:
        reminders.append(Reminder("hearing_if", f"罚则另设{'、'.join(sorted(heavy_types))}：如拟作出，应告知当事人有权要求听证",
                                  "处罚法 第六十三条第一款（三）（四）"))
    if amount is not None:
        # party unknown: the stricter (lower) individual threshold, as for 当场处罚 below
        rows = [r for r in HEARING_THRESHOLDS if item.domain.startswith(r[0]) and r[1] in ("any", party or "individual")]
        if rows:
            dom, _, thr, source, verified = rows[0]
            if amount >= thr:
                reminders.append(Reminder("hearing", f"罚款 {amount:,.0f} 元达到“较大数额”（{thr:,.0f} 元）：应告知当事人有权要求听证"
                                          + ("" if verified else "（标准待核实）")
                                          + ("" if party else "（当事人类型未知，按个人标准）"),
                                          f"处罚法 第六十三条第一款；{source}"))
        elif amount >= 10000:
            reminders.append(Reminder("hearing", f"罚款 {amount:,.0f} 元可能属于“较大数额”：本领域听证标准未收录，请按本地标准核实",
                                      "处罚法 第六十三条第一款（较大数额由各地各部门规定；本系统法规库未收录）"))
    # R4.2 当场处罚
    if item.domain.startswith("道路交通"):
        limit, rule = 200.0, "道交法 第一百零七条第一款"
    elif item.domain.startswith("治安"):
        limit, rule = 500.0, "治安法 第一百一十九条"
    else:
        # party unknown: the stricter individual limit (200 yuan) until the officer says otherwise
        limit = 3000.0 if party == "organization" else 200.0
        rule = "处罚法 第五十一条"
    only_warning = types <= {"警告"} and types
    if (amount is not None and amount <= limit and types <= {"警告", "罚款"}) or only_warning:
        reminders.append(Reminder("on_the_spot", f"事实确凿并有法定依据的，可以适用简易程序当场处罚（罚款不超过 {limit:,.0f} 元）",
                                  rule))


def _validity_reminders(item: EnforcementItem, decision_date: date, violation_date: date | None,
                        reminders: list[Reminder]) -> None:
    if not item.window.contains(decision_date):
        reminders.append(Reminder("benchmark_not_valid", f"裁量基准“{item.source.title}”在决定日 {decision_date} 不在有效期内，"
                                  "阶次仅供参考", "R2.9"))
    rep = item.extra.get("statute_repealed_on")
    if rep:
        day = violation_date or decision_date
        if day.isoformat() >= rep:
            reminders.append(Reminder("statute_repealed", f"所引罚则已于 {rep} 废止：该日以后的违法行为应适用生态环境法典",
                                      "R2.6；R2.9", True))
        else:
            reminders.append(Reminder("old_law", f"违法行为在 {rep} 之前：适用旧法，作出决定时按从旧兼从轻比较新法",
                                      "处罚法 第三十七条；R2.1、R2.2"))
