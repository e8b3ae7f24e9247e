"""Settings: one table of (name, default, help), read from ``AIWATCH_<NAME>`` variables.

As in datasette, defaults, validation and documentation all come from this one list;
`aiwatch settings` prints it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "sqlite:///aiwatch.db", "SQLAlchemy URL of the store (a bare path means a SQLite file)."),
    Setting("user_agent", "aiwatch/0.1 (+https://github.com/aiwatch/aiwatch; AI incident monitor)",
            "User-Agent sent with every request; it names aiwatch so site owners can reach us."),
    Setting("http_timeout", 20.0, "Seconds before a connection or read gives up."),
    Setting("max_download_bytes", 10_000_000, "Largest response body read from the network (after decompression)."),
    Setting("max_redirects", 5, "Most redirects followed for one URL."),
    Setting("domain_interval", 1.0, "Fewest seconds between two requests to the same host."),
    Setting("max_document_bytes", 5_000_000, "Largest single-document file (txt, md, html) ingested."),
    Setting("max_json_bytes", 200_000_000, "Largest whole-file JSON document loaded (use JSONL for more)."),
    Setting("max_decompressed_bytes", 1_000_000_000, "Most bytes read out of one .gz file."),
    Setting("max_text_chars", 200_000, "Article text beyond this many characters is cut off."),
    Setting("classifier_mode", "cascade", "cascade (TF-IDF screen, MiniLM on candidates) or fast (TF-IDF only)."),
    Setting("batch_size", 500, "Articles written per transaction: a kill loses at most one batch, redone on rerun."),
    Setting("workers", 1, "Processes for the per-article work of `aiwatch process` and for cleaning local files' "
            "articles in `aiwatch ingest`: 1, this one; 0, one per CPU (on 2 cores 1.27x faster at 2.3x the memory: "
            "each holds the models); N, N."),
    Setting("require_login", False, "Web: require an editor's login to read anything (default: reading is public)."),
    Setting("cookie_secure", True, "Web: session cookie over HTTPS only (browsers count localhost as secure)."),
    Setting("secret", "", "Web: key that signs session cookies; set it so logins survive a restart."),
    Setting("search_similar", True, "Web: also show incidents similar to a search by MiniLM embedding."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    """The value of a setting: ``AIWATCH_<NAME>`` from the environment, else the default."""
    setting = _BY_NAME[name]
    raw = os.environ.get("AIWATCH_" + name.upper())
    if raw is None or raw == "":
        return setting.default
    kind = type(setting.default)
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"AIWATCH_{name.upper()}={raw!r} is not a yes/no value; use 1 or 0")
    try:
        return kind(raw)
    except ValueError as exc:
        raise ValueError(
            f"AIWATCH_{name.upper()}={raw!r} is not a valid {kind.__name__}; unset it or give e.g. {setting.default!r}"
        ) from exc
