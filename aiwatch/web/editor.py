"""The editor workflow: accounts, and every change an editor makes, each written to the audit log.

Actions on an incident: confirm, reject, relabel (category, severity, tags), edit (title, summary),
merge (into another incident), split (chosen articles out into a new incident). Each runs in one
transaction with its ``review_log`` row (who, when, before, after), and sets what the machine must
not touch again: ``locked_fields`` on the incident, ``added_by='editor'`` on moved articles.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import Connection, select

from aiwatch.cluster import incident as I
from aiwatch.cluster.stage import rebuild_state
from aiwatch.errors import AiwatchError
from aiwatch.extract import clean_text, clean_title
from aiwatch.store import INCIDENTS_LOCK, Store, now
from aiwatch.store import schema as t
from aiwatch.taxonomy import CATEGORIES, FIELDS, SEVERITIES

EDITABLE = ("title", "summary")


class EditError(AiwatchError):
    code = "bad_request"


class NotFound(AiwatchError):
    code = "not_found"


# -- accounts -------------------------------------------------------------------------------------
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_user(store: Store, username: str, password: str, role: str = "editor") -> str:
    """Create (or reset) an account; returns a new API token, shown once (only its hash is kept)."""
    if not username or len(password) < 8:
        raise EditError("a username and a password of at least 8 characters are needed")
    if role not in ("editor", "admin"):
        raise EditError("role must be editor or admin")
    token = secrets.token_urlsafe(32)
    values = {"password_hash": _hasher().hash(password), "role": role, "api_token_hash": _token_hash(token)}
    with store.transaction() as conn:
        u = t.users.c
        if conn.execute(select(u.id).where(u.username == username)).first():
            conn.execute(t.users.update().where(u.username == username).values(**values))
        else:
            conn.execute(t.users.insert().values(username=username, created_at=now(), **values))
    return token


def _token_hash(token: str) -> str:
    # A token is 256 random bits: a plain SHA-256 is enough (unlike a password, it cannot be guessed).
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(store: Store, username: str, password: str) -> dict[str, Any] | None:
    from argon2.exceptions import VerificationError

    with store.engine.connect() as conn:
        row = conn.execute(select(t.users).where(t.users.c.username == username)).mappings().first()
    if row is None:
        _hasher().hash(password)  # same time whether or not the user exists
        return None
    try:
        _hasher().verify(row["password_hash"], password)
    except VerificationError:
        return None
    return {"id": row["id"], "username": row["username"], "role": row["role"]}


def user_for_token(store: Store, token: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.users).where(t.users.c.api_token_hash == _token_hash(token))).mappings().first()
    return {"id": row["id"], "username": row["username"], "role": row["role"]} if row else None


def get_user(store: Store, user_id: int) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.users).where(t.users.c.id == user_id)).mappings().first()
    return {"id": row["id"], "username": row["username"], "role": row["role"]} if row else None


# -- actions --------------------------------------------------------------------------------------
def _incident(conn: Connection, incident_id: int) -> dict[str, Any]:
    row = conn.execute(select(t.incidents).where(t.incidents.c.id == incident_id)).mappings().first()
    if row is None or row["status"] == "merged":
        raise NotFound(f"no incident {incident_id}" + (" (it was merged)" if row else ""))
    return dict(row)


def _log(conn: Connection, user_id: int, action: str, incident_id: int, before: Any, after: Any) -> None:
    conn.execute(t.review_log.insert().values(user_id=user_id, action=action, target_type="incident",
                                              target_id=incident_id, before=before, after=after, at=now()))


def _lock(conn: Connection, row: dict[str, Any], fields: list[str]) -> None:
    locked = sorted(set(row["locked_fields"] or []) | set(fields))
    conn.execute(t.incidents.update().where(t.incidents.c.id == row["id"]).values(locked_fields=locked))


def set_status(store: Store, user_id: int, incident_id: int, status: str) -> None:
    """confirm or reject."""
    if status not in ("confirmed", "rejected", "open"):
        raise EditError(f"unknown status {status!r}")
    with store.transaction() as conn:
        store.serialise(conn, INCIDENTS_LOCK)  # not between a cluster batch's read and its write
        row = _incident(conn, incident_id)
        conn.execute(t.incidents.update().where(t.incidents.c.id == incident_id).values(status=status,
                                                                                       updated_at=now()))
        _lock(conn, row, ["status"])
        _log(conn, user_id, {"confirmed": "confirm", "rejected": "reject", "open": "reopen"}[status], incident_id,
             {"status": row["status"]}, {"status": status})


def edit(store: Store, user_id: int, incident_id: int, *, title: str | None = None,
         summary: str | None = None) -> None:
    if any(v is not None and not isinstance(v, str) for v in (title, summary)):
        raise EditError("title and summary are text: give each as a string")
    # Cleaned as an article's are (control characters out: one made the Atom feed unreadable; a title on one line).
    changes = {k: clean(v) for k, v, clean in (("title", title, clean_title), ("summary", summary, clean_text))
               if v is not None}
    if not changes or ("title" in changes and not changes["title"]):
        raise EditError("give a non-empty title and/or a summary")
    with store.transaction() as conn:
        row = _incident(conn, incident_id)
        if "summary" in changes:
            changes["summary_machine"] = False
        conn.execute(t.incidents.update().where(t.incidents.c.id == incident_id).values(**changes, updated_at=now()))
        _lock(conn, row, [k for k in changes if k in EDITABLE])
        _log(conn, user_id, "edit", incident_id, {k: row[k] for k in changes}, changes)


def relabel(store: Store, user_id: int, incident_id: int, *, category: str | None = None,
            severity: str | None = None, tags: dict[str, list[str]] | None = None) -> None:
    if category is not None and category not in CATEGORIES:
        raise EditError(f"category must be one of {', '.join(CATEGORIES)}")
    if severity not in (None, "") and severity not in SEVERITIES:
        raise EditError(f"severity must be one of {', '.join(SEVERITIES)}")
    changes: dict[str, Any] = {}
    if category is not None:
        changes["category"] = category
    if severity is not None:
        changes["severity"] = severity or None
    if tags is not None:
        if not isinstance(tags, dict):
            raise EditError('tags: give an object of field -> labels, e.g. {"harm_types": ["Reputational"]}')
        # One label given bare is that label, not its letters.
        tags = {fld: [labels] if isinstance(labels, str) else labels for fld, labels in tags.items()}
        for fld, labels in tags.items():
            if not isinstance(labels, list):
                raise EditError(f"tags: give {fld}'s labels as a list")
            bad = [x for x in labels if x not in FIELDS.get(fld, ())]
            if fld not in FIELDS or bad:
                raise EditError(f"unknown tag field or label: {fld} {bad}")
        changes["tags"] = {f: [{"label": x, "score": 1.0} for x in labels] for f, labels in tags.items() if labels}
    if not changes:
        raise EditError("nothing to relabel: give a category, a severity or tags")
    with store.transaction() as conn:
        row = _incident(conn, incident_id)
        conn.execute(t.incidents.update().where(t.incidents.c.id == incident_id).values(**changes, updated_at=now()))
        _lock(conn, row, list(changes))
        I.write_labels(conn, incident_id)
        _log(conn, user_id, "relabel", incident_id, {k: row[k] for k in changes}, changes)


def merge(store: Store, user_id: int, source_id: int, target_id: int) -> None:
    """Move every article of ``source`` into ``target``; ``source`` stays as a pointer (status merged)."""
    if source_id == target_id:
        raise EditError("an incident cannot be merged into itself")
    with store.transaction() as conn:
        store.serialise(conn, INCIDENTS_LOCK)  # not between a cluster batch's read and its write
        src, dst = _incident(conn, source_id), _incident(conn, target_id)
        ia = t.incident_articles.c
        moved = conn.execute(select(ia.article_id).where(ia.incident_id == source_id)).scalars().all()
        present = set(conn.execute(select(ia.article_id).where(ia.incident_id == target_id)).scalars().all())
        for pk in moved:
            if pk not in present:
                conn.execute(t.incident_articles.insert().values(incident_id=target_id, article_id=pk, score=None,
                                                                 added_by="editor"))
        conn.execute(t.incident_articles.delete().where(ia.incident_id == source_id))
        conn.execute(t.incidents.update().where(t.incidents.c.id == source_id).values(
            status="merged", merged_into=target_id, updated_at=now()))
        rebuild_state(conn, target_id)
        I.refresh(conn, [target_id])
        conn.execute(t.incident_labels.delete().where(t.incident_labels.c.incident_id == source_id))
        _log(conn, user_id, "merge", target_id, {"incident": source_id, "title": src["title"]},
             {"into": target_id, "title": dst["title"], "articles_moved": len(moved)})
        _log(conn, user_id, "merge", source_id, {"status": src["status"]}, {"merged_into": target_id})


def split(store: Store, user_id: int, incident_id: int, article_ids: list[int], title: str | None = None) -> int:
    """Move the given articles out into a new incident; returns its id. ``title``: the new incident's (locked);
    none or blank: its first article's headline."""
    if title is not None and not isinstance(title, str):
        raise EditError("title is text: give it as a string")
    title = clean_title(title) or None  # a blank title was locked onto the new incident
    with store.transaction() as conn:
        store.serialise(conn, INCIDENTS_LOCK)  # not between a cluster batch's read and its write
        row = _incident(conn, incident_id)
        ia = t.incident_articles.c
        members = set(conn.execute(select(ia.article_id).where(ia.incident_id == incident_id)).scalars().all())
        chosen = [a for a in dict.fromkeys(article_ids) if a in members]
        if not chosen or len(chosen) == len(members):
            raise EditError("choose some, but not all, of the incident's articles to split off")
        stamp = now()
        first_title = conn.execute(select(t.articles.c.title).where(t.articles.c.id == chosen[0])).scalar_one()
        new_id = conn.execute(t.incidents.insert().values(
            title=title or first_title, summary_machine=True, status="open", n_articles=0,
            locked_fields=["title"] if title else None, created_at=stamp, updated_at=stamp,
        ).returning(t.incidents.c.id)).scalar_one()
        conn.execute(t.incident_articles.delete().where(ia.incident_id == incident_id, ia.article_id.in_(chosen)))
        conn.execute(t.incident_articles.insert(), [{"incident_id": new_id, "article_id": a, "score": None,
                                                     "added_by": "editor"} for a in chosen])
        for inc in (incident_id, new_id):
            rebuild_state(conn, inc)
        I.refresh(conn, [incident_id, new_id])
        _log(conn, user_id, "split", incident_id, {"articles": sorted(members)},
             {"new_incident": new_id, "articles_moved": chosen})
        _log(conn, user_id, "split", new_id, {"from": incident_id, "title": row["title"]}, {"articles": chosen})
        return new_id
