"""AI Incident Database (AIID) snapshots: incidents.csv and report tables, keeping AIID ids.

An AIID incident becomes two things: an *article* (``aiid:incident:<id>``: its title
and editor description, so the pipeline can classify it like any text) and an
*incident* (``aiid:<id>``) that the article is linked to. A report row becomes an
article (``aiid:report:<n>``, title and URL only: AIID's exports carry no report
text) linked to its incident(s).

AIID's ``alleged_*`` fields are entity slugs, kept on the incident for the entity
stage to resolve. Harmed-party slugs sometimes name a private person ("elaine-herzberg"):
only slugs that read as a group of people or an organisation are kept (see
``looks_like_group``). Report bylines are not kept: aiwatch stores no person.

Data: AI Incident Database, Responsible AI Collaborative, CC BY-SA 4.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from aiwatch.extract import json_loads
from aiwatch.records import Article, RawItem
from aiwatch.store import as_utc, now
from aiwatch.store import schema as t

INCIDENT_COLUMNS = {"incident_id", "title", "description", "alleged_deployer"}
REPORT_COLUMNS = {"report_number", "incident_id", "title", "url"}
AIID_SOURCE = "AI Incident Database"


def detect_csv(header: Iterable[str]) -> str | None:
    """'incidents' or 'reports' for an AIID table's header, else None."""
    cols = {h.strip() for h in header if h}
    if INCIDENT_COLUMNS <= cols:
        return "incidents"
    if REPORT_COLUMNS <= cols:
        return "reports"
    return None


def _slugs(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        parsed = json_loads(value)
    except (ValueError, RecursionError):
        return [s.strip() for s in value.strip("[]").replace('"', "").split(",") if s.strip()]
    return [str(s) for s in parsed] if isinstance(parsed, list) else []


# Words that make a harmed-party slug a group or an organisation rather than a person.
GROUP_WORDS = frozenset("""
people persons users customers workers employees residents citizens public children minors kids students
patients drivers passengers pedestrians women men girls boys teenagers families voters consumers
applicants candidates tenants immigrants migrants refugees communities community artists authors creators
musicians journalists actors writers developers owners investors victims members viewers readers
subscribers shoppers borrowers taxpayers recipients claimants parents teachers doctors nurses police
officers government company companies inc corp llc ltd agency department city state county university
school hospital bank union platforms businesses organizations organisations groups population populace
""".split())


def looks_like_group(slug: str) -> bool:
    """True when a slug names a group or organisation ("black-people", "uber"), not a person."""
    tokens = slug.lower().split("-")
    return any(tok in GROUP_WORDS for tok in tokens) or (len(tokens) == 1 and len(tokens[0]) > 2) or \
        tokens[-1].endswith("s") and len(tokens[-1]) > 4 and len(tokens) > 1 and tokens[-1].endswith(("ers", "ns",
                                                                                                     "ts", "es"))


def _ids(value: str | None) -> list[int]:
    out = []
    for tok in (value or "").replace("[", " ").replace("]", " ").replace(",", " ").split():
        if tok.isdigit():
            out.append(int(tok))
    return out


def _aiid_number(value: Any, prefix: str) -> int | None:
    """AIID's number of an incident or report: "17", or "aiid:17" as `aiwatch export incidents --format aiid`
    writes an AIID incident's id; None for anything else (another store's "aiwatch:5", a name)."""
    text = str(value or "").strip().removeprefix(prefix)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def row_to_item(kind: str, row: dict[str, Any], ref: str) -> RawItem:
    number = _aiid_number(row.get("incident_id" if kind == "incidents" else "report_number"), "aiid:")
    if number is None:
        # Not one of AIID's numbers: an incident aiwatch grouped itself (its own `--format aiid` export) or a
        # table in AIID's shape from elsewhere. Its text is read as an article under the id it was given, and
        # the pipeline classifies and groups it; nothing is filed under an AIID number it does not have.
        given = str(row.get("incident_id" if kind == "incidents" else "report_number") or "").strip()
        return RawItem(ref=ref, ext_id=given or None,
                       title=row.get("title"), text=row.get("description") or row.get("text") or "",
                       url=row.get("url") or None,
                       published=row.get("date") or row.get("date_published") or None,
                       source=row.get("source_domain") or None)
    if kind == "incidents":
        iid = number
        return RawItem(
            ref=ref, ext_id=f"aiid:incident:{iid}", title=row.get("title"), text=row.get("description"),
            url=f"https://incidentdatabase.ai/cite/{iid}/", published=row.get("date") or None, source=AIID_SOURCE,
            meta={"aiid": {
                "kind": "incident", "incident_ids": [iid], "title": row.get("title"),
                "description": row.get("description"), "date": row.get("date") or None,
                "reports": _ids(row.get("reports")),
                "alleged_deployer": _slugs(row.get("alleged_deployer")),
                "alleged_developer": _slugs(row.get("alleged_developer")),
                "alleged_harmed_parties": [s for s in _slugs(row.get("alleged_harmed_parties"))
                                           if looks_like_group(s)],
            }},
        )
    report = number
    incident_ids = _ids(row.get("all_incident_ids")) or _ids(row.get("incident_id"))
    return RawItem(
        ref=ref, ext_id=f"aiid:report:{report}", title=row.get("title"), text="", url=row.get("url"),
        published=row.get("date_published") or None, source=row.get("source_domain") or None,
        meta={"aiid": {"kind": "report", "report_number": report, "incident_ids": incident_ids,
                       "language": row.get("language") or None}},
    )


def link_incidents(conn: Connection, batch: list[Article]) -> None:
    """Create or refresh the AIID incidents of a stored batch and link its articles to them.

    Fields an editor has locked on an incident are left as they are.
    """
    aiid_articles = [a for a in batch if isinstance(a.meta.get("aiid"), dict)]
    if not aiid_articles:
        return
    pks = dict(conn.execute(select(t.articles.c.ext_id, t.articles.c.id)
                            .where(t.articles.c.ext_id.in_([a.ext_id for a in aiid_articles]))).all())
    stamp = now()
    for art in aiid_articles:
        info = art.meta["aiid"]
        for iid in info.get("incident_ids", []):
            incident_pk = _upsert_incident(conn, iid, info, art, stamp)
            exists = conn.execute(select(t.incident_articles.c.article_id).where(
                t.incident_articles.c.incident_id == incident_pk,
                t.incident_articles.c.article_id == pks[art.ext_id])).first()
            if not exists:
                conn.execute(t.incident_articles.insert().values(
                    incident_id=incident_pk, article_id=pks[art.ext_id], score=1.0, added_by="import"))


def _upsert_incident(conn: Connection, iid: int, info: dict[str, Any], art: Article, stamp: Any) -> int:
    ext_id = f"aiid:{iid}"
    row = conn.execute(select(t.incidents).where(t.incidents.c.ext_id == ext_id)).mappings().first()
    if info["kind"] != "incident":
        if row:  # a report only widens the incident's seen-dates
            _widen_dates(conn, row, art.published)
            return row["id"]
        # A report whose incident is not (yet) in the snapshot: a placeholder titled by the report.
        return conn.execute(t.incidents.insert().values(
            ext_id=ext_id, title=art.title, summary=None, summary_machine=True, status="open",
            first_seen=art.published, last_seen=art.published,
            meta={"aiid": {"incident_id": iid, "placeholder": True}}, created_at=stamp, updated_at=stamp,
        ).returning(t.incidents.c.id)).scalar_one()
    event_date = _date(info.get("date"))
    values = {
        "title": art.title, "summary": art.text or None, "summary_machine": False, "event_date": event_date,
        "meta": {"aiid": {k: info[k] for k in ("reports", "alleged_deployer", "alleged_developer",
                                                  "alleged_harmed_parties")} | {"incident_id": iid}},
        "updated_at": stamp,
    }
    if row is None:
        return conn.execute(t.incidents.insert().values(
            ext_id=ext_id, status="open", created_at=stamp, first_seen=art.published, last_seen=art.published,
            **values).returning(t.incidents.c.id)).scalar_one()
    locked = set(row["locked_fields"] or [])
    changes = {k: v for k, v in values.items() if k not in locked and row.get(k) != v}
    if changes.keys() - {"updated_at"}:
        conn.execute(t.incidents.update().where(t.incidents.c.id == row["id"]).values(**changes))
    return row["id"]


def _widen_dates(conn: Connection, row: Any, when: Any) -> None:
    if when is None:
        return
    first, last = row["first_seen"], row["last_seen"]
    first, last = as_utc(first), as_utc(last)
    changes = {}
    if first is None or when < first:
        changes["first_seen"] = when
    if last is None or when > last:
        changes["last_seen"] = when
    if changes:
        conn.execute(t.incidents.update().where(t.incidents.c.id == row["id"]).values(**changes))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
