"""The command line: each command is a thin shell over the library, with clear errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aiwatch.cli import app
from aiwatch.store import Store
from tests.conftest import ROOT, STORY

runner = CliRunner()


@pytest.fixture
def db(db_url: str) -> str:
    return db_url


def aw(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, *args])
    return result.exit_code, result.output


def test_init_creates_the_store(db: str) -> None:
    code, out = aw(db, "init")
    assert code == 0 and "schema 0009" in out


def test_sample_ingest_then_stats_and_export(db: str) -> None:
    code, out = aw(db, "ingest", "--sample")
    assert code == 0 and "300 new" in out and "dedup.minhash.v1 300" in out
    code, out = aw(db, "stats", "--json")
    stats = json.loads(out)
    assert stats["articles"] == 300 and stats["incidents"] == 300 and stats["languages"] == {"en": 300}
    code, out = aw(db, "export", "articles", "--format", "jsonl")
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    assert len(lines) == 300
    assert {"id", "url", "title", "published", "source", "language", "duplicate_of"} <= set(lines[0])
    assert lines[0]["id"].startswith("aiid:incident:")


def test_process_reports_articles_and_seconds_per_stage_as_json(db: str) -> None:
    from aiwatch import pipeline

    assert aw(db, "ingest", "--sample", "--no-process")[0] == 0
    code, out = aw(db, "process", "--json")
    report = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and list(report["processed"]) == list(report["seconds"]) == pipeline.DEFAULT_PIPELINE
    assert report["processed"]["dedup.minhash.v1"] == 300 and all(s >= 0 for s in report["seconds"].values())


def test_export_csv_and_duplicates_point_at_original_ids(db: str, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "orig", "title": "Original", "text": STORY, "url": "https://a.example.com/1"},
        {"id": "copy", "title": "Copy", "text": STORY + " Copyright Example Media.", "url": "https://b.example.org/2"},
    ]))
    assert aw(db, "ingest", str(src))[0] == 0
    out_file = tmp_path / "out.csv"
    code, _ = aw(db, "export", "articles", "--format", "csv", "-o", str(out_file))
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out_file.read_text()))}
    assert code == 0 and rows["copy"]["duplicate_of"] == "orig" and rows["orig"]["duplicate_of"] == ""


def test_skipped_and_sources_are_queryable(db: str, tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text("{oops\n")
    aw(db, "ingest", str(tmp_path / "bad.jsonl"))
    code, out = aw(db, "skipped", "--json")
    assert code == 0 and json.loads(out)[0]["reason"] == "bad_json"
    code, out = aw(db, "sources", "--json")
    assert json.loads(out)[0]["kind"] == "file"


def test_unknown_export_format_is_a_clear_error(db: str) -> None:
    code, out = aw(db, "export", "articles", "--format", "xml")
    assert code == 1 and "choose one of jsonl, csv" in out


def test_nothing_to_ingest_says_what_to_give(db: str) -> None:
    code, out = aw(db, "ingest")
    assert code == 1 and "--sample" in out


def test_unreachable_database_is_a_one_line_error(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "--db", "postgresql://nobody@127.0.0.1:1/none", "stats"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert "error:" in proc.stderr and "Traceback" not in proc.stderr


def test_a_store_locked_by_another_program_is_a_one_line_error_and_a_rerun_finishes(tmp_path: Path) -> None:
    """A sqlite3 shell left in a write transaction: the ingest waited, then died with a traceback."""
    import sqlite3

    db = tmp_path / "locked.db"
    Store(f"sqlite:///{db}").close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AIWATCH_LOCK_TIMEOUT": "0.5"}
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        proc = subprocess.run([sys.executable, "-m", "aiwatch", "--db", str(db), "ingest", "--sample", "--no-process"],
                              capture_output=True, text=True, env=env, timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    message = " ".join(proc.stderr.split())
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "write lock for over AIWATCH_LOCK_TIMEOUT=0.5 seconds" in message and "run the command again" in message
    code, out = aw(f"sqlite:///{db}", "ingest", "--sample", "--no-process")
    assert code == 0 and "300 new" in out, out


def test_a_sqlite_store_that_is_a_folder_or_not_a_database_says_so(tmp_path: Path) -> None:
    """A folder given as the store, or a file that is not SQLite: the message asked whether the server was
    running. It names the folder (and a file name to give instead), or asks whether the file is a store."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    (tmp_path / "notes.txt").write_text("not a database " * 100)
    for url, says in [(str(tmp_path), "is a folder"), (f"sqlite:///{tmp_path / 'notes.txt'}", "aiwatch store")]:
        proc = subprocess.run([sys.executable, "-m", "aiwatch", "--db", url, "stats"], capture_output=True, text=True,
                              env=env, timeout=60)
        message = " ".join(proc.stderr.split())
        assert proc.returncode == 2 and says in message and "server" not in message, message
    assert (tmp_path / "notes.txt").read_text() == "not a database " * 100


@pytest.mark.parametrize("variable, value, says", [
    ("AIWATCH_BATCH_SIZE", "0", "at least 1"),  # a batch of none: the stage loop never moved on
    ("AIWATCH_BATCH_SIZE", "1" * 5000, "not a valid int"),  # past int()'s 4,300 digits; the value shown cut short
    ("AIWATCH_CLASSIFIER_MODE", "turbo", "cascade, fast"),  # was a ValueError in the middle of `process`
    ("AIWATCH_HTTP_TIMEOUT", "nan", "at least 0.1"),
    ("AIWATCH_REQUIRE_LOGIN", "maybe", "yes/no")])
def test_a_bad_setting_stops_any_command_with_a_one_line_error(tmp_path: Path, variable: str, value: str,
                                                               says: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), variable: value}
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "--db", f"sqlite:///{tmp_path / 'x.db'}", "stats"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    message = " ".join(proc.stderr.split())
    assert message.startswith(f"error: {variable}=") and says in message and len(message) < 200


def test_a_bad_setting_still_lets_a_command_show_its_help(tmp_path: Path) -> None:
    """The settings check runs before any command; a command's --help used to stop at it too."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AIWATCH_BATCH_SIZE": "abc"}
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "process", "--help"], capture_output=True, text=True,
                          env=env, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0 and "aiwatch process [OPTIONS]" in proc.stdout, proc.stderr


def test_files_that_cannot_be_read_or_written_are_named_before_any_work(db: str, tmp_path: Path) -> None:
    """A folder given as a file, or a file in a folder that does not exist, was a traceback: after the model had
    loaded (classify), or after minutes of scoring (eval --json)."""
    good = tmp_path / "in.jsonl"
    good.write_text(json.dumps({"id": "a", "title": "t", "text": "x"}))
    for args, says in [(["classify", "-i", str(tmp_path), "-o", str(tmp_path / "o.jsonl")], "is a folder"),
                       (["cluster", "-i", str(good), "-o", str(tmp_path)], "is a folder"),
                       (["classify", "-i", str(good), "-o", str(tmp_path / "no" / "o.jsonl")], "does not exist"),
                       (["export", "incidents", "-o", str(tmp_path / "no" / "x.csv")], "does not exist"),
                       (["export", "articles", "--format", "csv", "-o", str(tmp_path)], "is a folder"),
                       (["eval", "--json", str(tmp_path / "no" / "eval.json")], "does not exist"),
                       (["eval-clusters", "--json", str(tmp_path)], "is a folder")]:
        code, out = aw(db, *args)
        out = " ".join(out.split())  # the console wraps long lines
        assert code == 1 and out.startswith("error:") and says in out, (args, out)
    assert not (tmp_path / "no").exists()
    code, out = aw(db, "ingest", "--no-process", "ftp://example.com/feed.xml")
    out = " ".join(out.split())
    assert "ftp:// is not fetched" in out and "no such file" not in out


def test_settings_lists_every_setting(db: str) -> None:
    code, out = aw(db, "settings")
    assert code == 0 and "AIWATCH_MAX_DOWNLOAD_BYTES" in out
