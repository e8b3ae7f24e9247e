"""Settings: one table of (name, default, help), read from ``AIWATCH_<NAME>`` variables.

As in datasette, defaults, validation and documentation all come from this one list;
`aiwatch settings` prints it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from aiwatch.errors import AiwatchError


class SettingError(AiwatchError, ValueError):
    """An ``AIWATCH_<NAME>`` variable holds a value the setting cannot take."""

    code = "bad_setting"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    low: float | None = None  # the least value a number may take
    choices: tuple[str, ...] = ()  # the values a word may take, when it is one of a few


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "sqlite:///aiwatch.db", "SQLAlchemy URL of the store (a bare path means a SQLite file)."),
    Setting("user_agent", "aiwatch/0.1 (+https://github.com/aiwatch/aiwatch; AI incident monitor)",
            "User-Agent sent with every request; it names aiwatch so site owners can reach us."),
    Setting("http_timeout", 20.0, "Seconds before a connection or read gives up.", low=0.1),
    Setting("max_download_bytes", 10_000_000, "Largest response body read from the network (after decompression).",
            low=1),
    Setting("max_redirects", 5, "Most redirects followed for one URL.", low=0),
    Setting("domain_interval", 1.0, "Fewest seconds between two requests to the same host.", low=0),
    Setting("max_document_bytes", 5_000_000, "Largest single-document file (txt, md, html) ingested.", low=1),
    Setting("max_json_bytes", 200_000_000, "Largest whole-file JSON document loaded (use JSONL for more).", low=1),
    Setting("max_decompressed_bytes", 1_000_000_000, "Most bytes read out of one .gz file.", low=1),
    Setting("max_text_chars", 200_000, "Article text beyond this many characters is cut off.", low=1),
    Setting("classifier_mode", "cascade", "cascade (TF-IDF screen, MiniLM on candidates) or fast (TF-IDF only).",
            choices=("cascade", "fast")),
    Setting("lock_timeout", 30.0, "Seconds a command waits for a SQLite store's write lock while another program "
            "holds it, before it stops with an error (nothing committed is lost).", low=0),
    Setting("batch_size", 500, "Articles written per transaction: a kill loses at most one batch, redone on rerun.",
            low=1),
    Setting("workers", 1, "Processes for the per-article work of `aiwatch process` and for cleaning local files' "
            "articles in `aiwatch ingest`: 1, this one; 0, one per CPU (on 2 cores 1.27x faster at 2.3x the memory: "
            "each holds the models); N, N.", low=0),
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
    shown = raw if len(raw) <= 40 else raw[:40] + "..."
    var = f"AIWATCH_{name.upper()}={shown!r}"
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise SettingError(f"{var} is not a yes/no value; use 1 or 0")
    if setting.choices and raw not in setting.choices:
        raise SettingError(f"{var} is not one of {', '.join(setting.choices)}; unset it or give one of them")
    try:
        value = kind(raw)
    except ValueError as exc:  # also an int of more than 4,300 digits
        raise SettingError(f"{var} is not a valid {kind.__name__}; unset it or give e.g. {setting.default!r}") from exc
    if setting.low is not None and (not (isinstance(value, int) or math.isfinite(value)) or value < setting.low):
        raise SettingError(f"{var} is out of range: give a number of at least {setting.low:g}, e.g. "
                           f"{setting.default!r}")
    return value


def check_all() -> None:
    """Read every setting: raises SettingError for the first ``AIWATCH_<NAME>`` holding a value it cannot take."""
    for setting in SETTINGS:
        get(setting.name)
