"""The `aiwatch` command: a thin shell over the library. Each command parses options and calls one function."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from aiwatch import config
from aiwatch.classify.encoders import DEFAULT as DEFAULT_ENCODER  # numpy only: cheap
from aiwatch.errors import AiwatchError, PipelineBusy
from aiwatch.extract import json_loads

if TYPE_CHECKING:  # the pipeline imports the store: only where a command needs it
    from aiwatch.pipeline import ProcessReport
    from aiwatch.records import RawItem

app = typer.Typer(help="aiwatch — an open, self-hostable AI incident monitor.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
export_app = typer.Typer(help="Export data as JSONL or CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")
user_app = typer.Typer(help="Editor accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console(stderr=True)


class State:
    db: str | None = None


state = State()


def _store():  # noqa: ANN202
    from aiwatch.store import Store

    return Store(state.db)


def fail(message: str, code: int = 1) -> None:
    console.print(f"error: {message}", style="red", highlight=False, markup=False)
    raise typer.Exit(code)


def _input_file(path: Path) -> None:
    """A file to read, checked before any model loads."""
    if not path.exists():
        fail(f"{path} not found")
    if path.is_dir():
        fail(f"{path} is a folder: give one JSONL file (`aiwatch ingest` reads folders into a store)")


def _output_file(path: Path | None) -> None:
    """A file to write, checked before the work that fills it (an evaluation takes minutes)."""
    if path is None:
        return
    if path.is_dir():
        fail(f"{path} is a folder: give the name of a file to write")
    folder = path.parent
    if not folder.is_dir():
        fail(f"cannot write {path}: the folder {folder} does not exist (create it first)")
    if not os.access(folder, os.W_OK) or path.exists() and not os.access(path, os.W_OK):
        fail(f"cannot write {path}: permission denied")


@app.callback()
def main_callback(
    db: str = typer.Option(None, "--db", envvar="AIWATCH_DB",
                           help="Store URL: sqlite:///path.db (default aiwatch.db here) or postgresql://..."),
) -> None:
    state.db = db
    # A mistyped AIWATCH_ variable stops every command at once, not midway through a run; but a command's
    # --help still shows, so that one can read what to give. The command's own options are parsed after this
    # callback, out of its sight: the command line is read for it.
    if "--help" not in sys.argv[1:]:
        config.check_all()


def _progress(disable: bool = False) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False, disable=disable or not console.is_terminal)


def _run_process(store: Any, engine: str = "local", address: str | None = None,
                 workers: int | None = None, quiet: bool = False, wait: bool = True) -> ProcessReport:
    from aiwatch import pipeline

    if engine not in ("local", "ray"):
        fail(f"unknown engine {engine!r}: choose local or ray")
    with _progress(disable=quiet) as bar:
        tasks: dict[str, Any] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"process {stage}", total=total)
            bar.update(tasks[stage], completed=done, total=total)

        def on_wait() -> None:  # on standard error, so --json output stays clean
            console.print("another aiwatch run is processing this store: waiting for it to finish "
                          "(then what it left pending is processed)", highlight=False)

        if engine == "ray":
            try:
                from aiwatch import engine_ray
            except ImportError as exc:
                fail(f"the ray engine needs Ray: pip install 'aiwatch[ray]' ({exc})")
            return engine_ray.process(store, address=address, progress=on_progress, waiting=on_wait,
                                      wait=wait)
        n = workers if workers is not None else config.get("workers")
        return pipeline.process(store, workers=n, progress=on_progress, waiting=on_wait, wait=wait)


@app.command()
def init() -> None:
    """Create the store (or upgrade it to the newest schema).

    Example: aiwatch --db sqlite:///news.db init
    """
    store = _store()
    console.print(f"store ready: {store!r} at schema {store.revision()}")


@app.command()
def ingest(
    inputs: list[str] = typer.Argument(None, help="Files, folders, feed/OPML/article URLs, AIID CSVs."),
    sample: bool = typer.Option(False, "--sample", help="Also load the bundled AIID sample (300 incidents)."),
    allow_private: bool = typer.Option(False, "--allow-private",
                                       help="Allow fetching from private/loopback addresses (your own servers)."),
    follow_links: bool = typer.Option(False, "--follow-links",
                                      help="Fetch the full article when a feed entry carries only a summary."),
    process: bool = typer.Option(True, "--process/--no-process", help="Run `aiwatch process` afterwards."),
    workers: int = typer.Option(None, "--workers", min=0,
                                help="Processes that clean the articles of local files, and then run "
                                     "`aiwatch process` (1: this process alone; 0: one per CPU). Default: the "
                                     "workers setting (1)."),
) -> None:
    """Ingest articles. The same input twice changes nothing.

    Example: aiwatch ingest news/ feeds.opml https://example.org/rss.xml
    """
    from aiwatch.ingest import ingest as run_ingest
    from aiwatch.ingest import ingest_sample
    from aiwatch.records import IngestReport

    if not inputs and not sample:
        fail("nothing to ingest: give files, folders or URLs, or --sample for the bundled AIID sample")
    store = _store()
    report = IngestReport()
    n_workers = workers if workers is not None else config.get("workers")
    with _progress() as bar:
        task = bar.add_task("ingest", total=None)

        def advance(n: int) -> None:
            bar.advance(task, n)

        if sample:
            report.merge(ingest_sample(store, progress=advance))
        if inputs:
            report.merge(run_ingest(store, inputs, allow_private=allow_private, follow_links=follow_links,
                                    progress=advance, workers=n_workers))
    console.print(f"ingested: {report.added} new, {report.updated} updated, {report.unchanged} unchanged, "
                  f"{len(report.skipped)} skipped", highlight=False)
    for s in report.skipped[:10]:
        console.print(f"  skipped [{s.reason}] {s.detail}", style="yellow", highlight=False, markup=False)
    if len(report.skipped) > 10:
        console.print(f"  … {len(report.skipped) - 10} more: see `aiwatch skipped`", style="yellow")
    if process:
        console.print("processed: " + _run_process(store, workers=n_workers).summary(), highlight=False)


@app.command()
def process(
    engine: str = typer.Option("local", "--engine", help="local (this process) or ray (a Ray cluster)."),
    address: str = typer.Option(None, "--address", help="Ray cluster address (HEAD:6379); default: start a local "
                                                         "Ray with this machine's CPUs."),
    workers: int = typer.Option(None, "--workers", min=0,
                                help="Local engine: processes for the per-article work (1: this process alone; "
                                     "0: one per CPU, faster, each holding the models). Default: the workers "
                                     "setting (1)."),
    as_json: bool = typer.Option(False, "--json", help="Print {processed, seconds} per stage as JSON, no bar."),
    wait: bool = typer.Option(True, "--wait/--no-wait",
                              help="When another run is processing this store: wait for it, then do what is left "
                                   "(default); or do nothing and exit 0 at once (a cron job that may overlap "
                                   "the last one)."),
) -> None:
    """Run the pipeline's stages on every article not yet processed by them.

    Example: aiwatch process --engine ray --address head-node:6379
    """
    if workers is not None and engine != "local":
        fail("--workers is for the local engine; Ray decides its own workers from the cluster's CPUs")
    try:
        report = _run_process(_store(), engine, address, workers, quiet=as_json, wait=wait)
    except PipelineBusy:
        console.print("another aiwatch run is processing this store: nothing done (--no-wait)", highlight=False)
        if as_json:
            print(json.dumps({"processed": {}, "seconds": {}, "busy": True}))
        return
    if as_json:
        print(json.dumps({"processed": report.processed, "seconds": report.seconds}))
    else:
        console.print("processed: " + report.summary(), highlight=False)


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables.")) -> None:
    """Counts: articles, unique stories, duplicates, languages, sources, skipped items.

    Example: aiwatch stats --json
    """
    data = _store().stats()
    if as_json:
        print(json.dumps(data, indent=2))
        return
    out = Console()
    table = Table(title="aiwatch store", show_header=False)
    table.add_row("articles", str(data["articles"]))
    table.add_row("unique (duplicates folded)", str(data["unique_articles"]))
    table.add_row("exact / near duplicates", f"{data['duplicates']['exact']} / {data['duplicates']['near']}")
    table.add_row("classified", ", ".join(f"{k} {v}" for k, v in sorted(data["categories"].items())) or "none")
    table.add_row("incidents", str(data["incidents"]))
    table.add_row("sources", str(data["sources"]))
    table.add_row("languages", ", ".join(f"{k} {v}" for k, v in data["languages"].items()))
    table.add_row("top sources", ", ".join(f"{k} {v}" for k, v in list(data["top_sources"].items())[:5]))
    table.add_row("stages done", ", ".join(f"{k} {v}" for k, v in data["stages_done"].items()) or "none")
    table.add_row("skipped", ", ".join(f"{k} {v}" for k, v in data["skipped"].items()) or "none")
    out.print(table)


@app.command()
def skipped(
    stage: str = typer.Option(None, help="Only this stage (ingest, extract, ...)."),
    reason: str = typer.Option(None, help="Only this reason code (too_large, malformed_feed, ...)."),
    limit: int = typer.Option(50, min=0, help="Most rows shown."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """What was dropped, where, and why — newest first.

    Example: aiwatch skipped --reason bad_date
    """
    rows = _store().skipped(stage=stage, reason=reason, limit=limit)
    if as_json:
        print(json.dumps(rows, default=str, indent=2))
        return
    table = Table("stage", "reason", "where", "detail")
    for r in rows:
        table.add_row(r["stage"], r["reason"], r["ref"][-60:], r["detail"][:120])
    Console().print(table)


@app.command()
def sources(as_json: bool = typer.Option(False, "--json")) -> None:
    """Source health: last success, last error, items seen, next poll.

    Example: aiwatch sources
    """
    rows = _store().sources()
    if as_json:
        print(json.dumps(rows, default=str, indent=2))
        return
    table = Table("kind", "location", "items", "last success", "errors", "last error", "next poll")
    for r in rows:
        table.add_row(r["kind"], r["location"][-50:], str(r["items_seen"]), str(r["last_success_at"] or "")[:19],
                      str(r["consecutive_errors"]), (r["last_error"] or "")[:60], str(r["next_poll_at"] or "")[:19])
    Console().print(table)


@app.command()
def watch(
    sources_: list[str] = typer.Argument(..., metavar="SOURCES", help="Feed URLs, OPML files or URLs, feed files."),
    every: str = typer.Option("15m", "--every", help="Poll interval per source: 30s, 15m, 1h ..."),
    allow_private: bool = typer.Option(False, "--allow-private"),
    follow_links: bool = typer.Option(False, "--follow-links"),
    max_rounds: int = typer.Option(None, "--max-rounds", min=1, help="Stop after this many rounds (default: never)."),
) -> None:
    """Poll feeds on a schedule, ingest and process what is new; stop cleanly on SIGTERM or Ctrl-C.

    Example: aiwatch watch feeds.opml --every 15m
    """
    from aiwatch.watch import STORE_RETRY_S, Watcher, parse_interval

    try:
        interval = parse_interval(every)
    except ValueError as exc:
        fail(str(exc))
    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        console.print(f"received {signal.Signals(signum).name}: stopping after the current poll")
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    def on_poll(url: str, report: Any) -> None:
        console.print(f"polled {url}: {report.added} new, {report.updated} updated, "
                      f"{len(report.skipped)} skipped", highlight=False)

    def on_error(exc: Exception) -> None:
        console.print(f"this round failed on the store ({db_detail(exc)}); trying again in "
                      f"{min(interval.total_seconds(), STORE_RETRY_S):g} s", style="red", highlight=False, markup=False)

    watcher = Watcher(_store(), sources_, every=interval, allow_private=allow_private,
                      follow_links=follow_links, on_poll=on_poll, on_error=on_error)
    rounds = watcher.run(stop, max_rounds=max_rounds)
    console.print(f"watch stopped after {rounds} round(s)")


@export_app.command("articles")
def export_articles(
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
    output: Path = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
    text: bool = typer.Option(True, "--text/--no-text", help="Include the article text."),
) -> None:
    """Every article with id, url, title, published, source, language, duplicate_of.

    Example: aiwatch export articles --format csv -o articles.csv
    """
    from aiwatch.export import FORMATS, export_articles

    _export("articles", fmt, FORMATS, output, lambda store, f: export_articles(store, f, fmt, include_text=text))


def _export(what: str, fmt: str, formats: tuple[str, ...], output: Path | None, run: Any) -> None:
    """Check the format, then write to the file (and say how many) or to standard output."""
    if fmt not in formats:
        fail(f"unknown format {fmt!r}: choose one of {', '.join(formats)}")
    _output_file(output)
    store = _store()
    if output:
        with output.open("w", encoding="utf-8", newline="") as f:
            n = run(store, f)
        console.print(f"wrote {n} {what} to {output}")
    else:
        run(store, sys.stdout)


@export_app.command("incidents")
def export_incidents(
    fmt: str = typer.Option("jsonl", "--format", help="jsonl, csv, or aiid (AIID's incidents.csv columns)."),
    output: Path = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
) -> None:
    """Every incident: title, summary, category, severity, tags, entities with roles, amounts, countries, articles.

    Example: aiwatch export incidents --format jsonl -o incidents.jsonl
    """
    from aiwatch.export import INCIDENT_FORMATS
    from aiwatch.export import export_incidents as run_export

    _export("incidents", fmt, INCIDENT_FORMATS, output, lambda store, f: run_export(store, f, fmt))


def _jsonl_objects(path: Path, bad: list[int], numbered: bool = False) -> Any:
    """The JSON objects of a JSONL file (with ``numbered``: (line number, object)), read as ingest reads one:
    gzip when the name ends in .gz (its decompression capped), each line's encoding detected (a byte-order
    mark dropped), and a line over AIWATCH_MAX_JSON_BYTES passed over unread (a line of gigabytes was read
    whole into memory). A line that is not an object, or too long, is reported, noted in ``bad`` and skipped."""
    from aiwatch.ingest.files import numbered_lines, too_long_line

    for n, line in numbered_lines(path):
        if line is None:
            bad.append(n)
            console.print(f"{too_long_line(path, n)}; skipped", style="yellow", markup=False)
            continue
        if not line.strip():
            continue
        try:
            rec = json_loads(line)
            if not isinstance(rec, dict):
                raise ValueError("not an object")
        except (ValueError, RecursionError) as exc:
            bad.append(n)
            console.print(f"line {n}: skipped, not a JSON object ({exc})", style="yellow", markup=False)
            continue
        yield (n, rec) if numbered else rec


def _fields(rec: dict[str, Any]) -> RawItem:
    """A record's title, text, date and source under any name ingest accepts for them ("headline", "body",
    "content", "date", ...; title, text and source as strings, the date as given): the commands that need no
    database read input as ingest does."""
    from aiwatch.ingest.files import record_to_item

    return record_to_item(rec, "")


@app.command()
def cluster(
    input_: Path = typer.Option(..., "--input", "-i", help="JSONL: {\"id\", \"title\", \"text\"} per line; "
                                                            "\"published\" and \"source\" optional."),
    output: Path = typer.Option(..., "--output", "-o", help="JSONL: one {\"id\", \"incident\"} per input line."),
) -> None:
    """Group articles into incidents; needs no database. Every line is treated as relevant.

    The incident of each line is the id of the incident's earliest article: the grouping the
    pipeline's cluster stage would make, with the same model.

    Example: aiwatch cluster --input articles.jsonl --output incidents.jsonl
    """
    from aiwatch import entities
    from aiwatch.cluster import Clusterer, Doc
    from aiwatch.extract import article_language, parse_dated

    _input_file(input_)
    _output_file(output)
    bad: list[int] = []
    numbered = list(_jsonl_objects(input_, bad, numbered=True))
    docs = []
    for n, r in numbered:
        item = _fields(r)
        published, precision = None, None
        if item.published:
            try:  # a year or a month alone orders the article but gives no time signal (``Doc.timed``)
                published, precision = parse_dated(item.published)
            except Exception as exc:  # an unreadable date: the article is clustered without one, and told
                published, precision = None, None
                console.print(f"line {n}: {str(exc) or 'unreadable date'}; clustered as undated", style="yellow",
                              markup=False)
        rid = r.get("id")
        language = r.get("language")  # as given; else read from the text once, as ingest reads it
        language = language.strip().lower() if isinstance(language, str) else (
            article_language(item.title or "", item.text or "")[0] or "")
        docs.append(Doc(str(rid) if rid is not None else f"line-{n}", item.title or "", item.text or "", published,
                        item.source, r.get("category"), published_precision=precision, language=language))
    with _progress() as bar:
        # Entity keys as the pipeline gets them, spaCy run over the articles in batches (a call each was 14%
        # slower on 2,000 news articles, for the same grouping).
        extractor, etask = entities.default(), bar.add_task("entities", total=len(docs))
        for start in range(0, len(docs), 256):
            part = docs[start:start + 256]
            for d, facts in zip(part, extractor.extract_many([(d.title, d.text) for d in part],
                                                             [d.language for d in part]), strict=True):
                d.entity_keys = frozenset(facts.keys())
            bar.advance(etask, len(part))
        task = bar.add_task("cluster", total=len(docs))
        clusterer = Clusterer(entities=None)
        used: set[str] = set()

        def label_of(doc: Doc) -> str:
            # The earliest article's id names its incident; an id given twice (or 5 and "5") must not name two
            # incidents with one label, which would read as one incident: the second gets "#2", and so on.
            label, k = doc.id, 1
            while label in used:
                k += 1
                label = f"{doc.id}#{k}"
            used.add(label)
            return label

        results = clusterer.assign(docs, new_label=label_of, progress=lambda n: bar.advance(task, n))
        bar.update(task, completed=len(docs))
    with output.open("w", encoding="utf-8") as out:
        for (_n, r), (label, _score, _new) in zip(numbered, results, strict=True):
            out.write(json.dumps({"id": r.get("id"), "incident": label}, ensure_ascii=False) + "\n")
    incidents = len({x[0] for x in results})
    console.print(f"{len(docs)} article{'s' * (len(docs) != 1)} in {incidents} incident{'s' * (incidents != 1)}"
                  + (f"; {len(bad)} line(s) skipped" if bad else ""), highlight=False)


@app.command("eval-clusters")
def eval_clusters(
    as_json: Path = typer.Option(None, "--json", help="Also write the whole report as JSON here."),
    check: bool = typer.Option(False, "--check-floors", help="Exit 1 if a figure is under its pinned floor."),
    tune: bool = typer.Option(False, "--tune", help="Re-run the grid search on the tuning half first."),
    entities_: bool = typer.Option(True, "--entities/--no-entities", help="Also score entity roles."),
) -> None:
    """Score the grouping (B-cubed, fragmentation) and the entity roles on held-apart data, with baselines.

    Example: aiwatch eval-clusters --check-floors --json clusters.json
    """
    _output_file(as_json)
    from aiwatch.cluster import evaluate as E

    try:
        report = E.evaluate(log=lambda m: console.print(m, highlight=False), tune_grid=tune, entities=entities_)
    except FileNotFoundError as exc:
        fail(str(exc))
    out = Console()
    # Names wrap rather than end in "…" on a narrow terminal: "aiid_reports_test" and "..._by_year" read apart.
    table = Table(Column("data", overflow="fold"), Column("method", overflow="fold"), "B3 P", "B3 R", "B3 F1",
                  "clusters/incident", "clusters")
    for name, res in report["datasets"].items():
        for method, r in res.items():
            table.add_row(name, method, f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}",
                          f"{r['clusters_per_incident']:.2f}", f"{r['predicted_clusters']} / {r['true_groups']}")
    out.print(table)
    out.print(f"order stability (B3 F1 between shuffled runs): {report['order_stability_f1']:.3f}")
    for name, r in report.get("shuffled_batches", {}).items():
        out.print(f"{name} shuffled, {r['batch']} articles a call ({r['seeds']} orders): B3 P {r['precision']:.3f} "
                  f"R {r['recall']:.3f} F1 {r['f1']:.3f}, {r['clusters_per_incident']:.2f} clusters/incident; "
                  f"against the grouping in date order at least {r['agreement_min']:.3f}")
    if "entity_roles" in report:
        er = report["entity_roles"]
        for role in ("deployer", "developer", "harmed_party"):
            out.print(f"{role}: precision {er[role]['precision']:.3f}, recall {er[role]['recall']:.3f} "
                      f"({er[role]['gold']} named in AIID)")
    if "news_organisations" in report:
        no = report["news_organisations"]
        out.print(f"organisations in hand-labelled news: {no['recall_as_party']:.3f} of {no['organisations']} listed "
                  f"as a party, {no['recall_named']:.3f} named at all")
    for name, r in report.get("countries", {}).items():
        m, n, b = r["model"], r["named_only"], r["baseline_gpe_names"]
        out.print(f"countries, {name}: precision {m['precision']:.3f}, recall {m['recall']:.3f} (places named "
                  f"alone: {n['precision']:.3f}, {n['recall']:.3f}; GPE names alone: {b['precision']:.3f}, "
                  f"{b['recall']:.3f}; {m['gold']} countries)")
    if as_json:
        as_json.write_text(json.dumps(report, indent=2, default=str))
    if check:
        _exit_on_failed_floors(E.check_floors(report))


def _exit_on_failed_floors(failures: list[str]) -> None:
    for f in failures:
        console.print(f"below floor: {f}", style="red", markup=False)
    if failures:
        raise typer.Exit(1)
    console.print("all floors met", style="green")


@app.command("train-cluster")
def train_cluster() -> None:
    """Rebuild the clusterer's IDF table and the entity gazetteer from ../shared/data (deterministic).

    Example: aiwatch train-cluster
    """
    from aiwatch.cluster.train import train as run_train

    try:
        run_train(log=lambda m: console.print(m, highlight=False))
    except FileNotFoundError as exc:
        fail(str(exc))


@app.command()
def classify(
    input_: Path = typer.Option(..., "--input", "-i", help="JSONL: one {\"id\", \"title\", \"text\"} per line."),
    output: Path = typer.Option(..., "--output", "-o", help="JSONL: one assessment per input line."),
    mode: str = typer.Option(None, "--mode", help="cascade (default) or fast (TF-IDF only, fastest)."),
    batch_size: int = typer.Option(256, "--batch-size", min=1, help="Articles classified together."),
) -> None:
    """Classify articles from a file; needs no database.

    Each output line: id, category, scores (incident, hazard, complementary, unrelated), severity,
    tags (OECD fields, each [{label, score}]), evidence (1-3 sentences), model.

    Example: aiwatch classify --input articles.jsonl --output labels.jsonl
    """
    from aiwatch.classify import model as M
    from aiwatch.classify.stage import effective_mode

    if mode is not None and mode not in M.MODES:
        fail(f"unknown mode {mode!r}: choose one of {', '.join(M.MODES)}")
    _input_file(input_)
    _output_file(output)
    model = M.default()
    mode = mode or effective_mode(model)
    bad: list[int] = []
    with output.open("w", encoding="utf-8") as out, _progress() as bar:
        task = bar.add_task(f"classify ({mode})", total=None)
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            items = [_fields(r) for r in batch]
            preds = model.predict([x.title or "" for x in items], [x.text or "" for x in items], mode)
            for r, p in zip(batch, preds, strict=True):
                out.write(json.dumps({"id": r.get("id"), **p.as_dict()}, ensure_ascii=False) + "\n")
            bar.advance(task, len(batch))
            batch.clear()

        for rec in _jsonl_objects(input_, bad):
            batch.append(rec)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
    if bad:
        console.print(f"{len(bad)} line(s) skipped", style="yellow")


@app.command()
def train(
    encoder: str = typer.Option(DEFAULT_ENCODER, help="Encoder for the strong head: minilm-q8 (8-bit MiniLM), "
                                "minilm (its float form, half the speed), wordllama, or none."),
    output: Path = typer.Option(None, "--output", "-o", help="Where to save (default: the package's model file)."),
) -> None:
    """Reproduce the shipped classifier from ../shared/data (fixed seed; set AIWATCH_SHARED_DATA to move it).

    Example: aiwatch train
    """
    from aiwatch.classify import model as M
    from aiwatch.classify import train as T

    try:
        T.train(output or M.MODEL_FILE, encoder=None if encoder == "none" else encoder,
                log=lambda m: console.print(m, highlight=False))
    except FileNotFoundError as exc:
        fail(str(exc))


@app.command("eval")
def eval_(
    as_json: Path = typer.Option(None, "--json", help="Also write the whole report as JSON here."),
    check: bool = typer.Option(False, "--check-floors", help="Exit 1 if a figure is under its pinned floor."),
) -> None:
    """Score the classifier on held-apart data and on the article stream, next to two baselines.

    Example: aiwatch eval --check-floors --json eval.json
    """
    _output_file(as_json)
    from aiwatch.classify import evaluate as E
    from aiwatch.classify.report import print_report

    try:
        report = E.evaluate(log=lambda m: console.print(m, highlight=False))
    except FileNotFoundError as exc:
        fail(str(exc))
    print_report(report, Console())
    if as_json:
        as_json.write_text(json.dumps(report, indent=2))
    if check:
        _exit_on_failed_floors(E.check_floors(report))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the web UI, the JSON API (/openapi.json), Atom feeds and exports.

    Example: aiwatch serve --port 8000
    """
    import uvicorn

    from aiwatch.web.app import create_app

    app = create_app(state.db)
    console.print(f"aiwatch at http://{host}:{port}/ (store {app.state.store!r}); Ctrl-C stops it", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="The editor's login name."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 envvar="AIWATCH_NEW_PASSWORD", help="At least 8 characters."),
    role: str = typer.Option("editor", help="editor or admin."),
) -> None:
    """Create an editor account (or reset its password); prints its API token once.

    Example: aiwatch user add alice
    """
    from aiwatch.web.editor import EditError, add_user

    try:
        token = add_user(_store(), username, password, role)
    except EditError as exc:
        fail(str(exc))
    console.print(f"user {username} ready. API token (shown once; send as 'Authorization: Bearer TOKEN'):",
                  highlight=False)
    print(token)


@app.command()
def settings() -> None:
    """Every setting, its current value and what it does (set with AIWATCH_<NAME>)."""
    table = Table(Column("setting", no_wrap=True), "value", "help")
    for s in config.SETTINGS:
        table.add_row(f"AIWATCH_{s.name.upper()}", str(config.get(s.name)), s.help)
    Console().print(table)


def db_detail(exc: BaseException) -> str:
    """The driver's own first line of a database error (SQLAlchemy's adds the SQL and its parameters)."""
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]


def store_failure(exc: BaseException) -> str:
    """A database error met in the middle of a command, said in one line with what to do about it."""
    detail = db_detail(exc)
    low = detail.lower()
    if "locked" in low or "busy" in low:
        hint = (f"another program held the SQLite store's write lock for over AIWATCH_LOCK_TIMEOUT="
                f"{config.get('lock_timeout'):g} seconds (an open transaction in a sqlite3 shell or a script?): "
                "end it, then run the command again")
    elif "disk" in low and "full" in low or "no space" in low:
        hint = "free some disk space where the store is, then run the command again"
    elif any(w in low for w in ("connect", "server closed", "terminating connection", "timeout", "timed out")):
        hint = "is the PostgreSQL server running and reachable? Run the command again once it is"
    else:
        hint = "run the command again; if it fails the same way, please report it with this message"
    return (f"the store failed in the middle of the command: {detail}. {hint}. What was committed stays, and "
            "a rerun carries on from there.")


def main() -> None:
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        app()
    except AiwatchError as exc:
        console.print(f"error: {exc}", style="red", highlight=False, markup=False)
        sys.exit(2)
    except (OperationalError, InterfaceError) as exc:  # the store went away or stayed locked: a way on
        console.print(f"error: {store_failure(exc)}", style="red", highlight=False, markup=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
