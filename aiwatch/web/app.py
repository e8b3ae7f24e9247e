"""The web application: server-rendered pages, each with a ``.json`` twin, the API, feeds and exports.

    from aiwatch.web.app import create_app
    app = create_app("sqlite:///aiwatch.db")      # run with uvicorn, or `aiwatch serve`

Every page is HTML from a Jinja2 template (autoescaped: article text is untrusted) and the same
data as JSON at the same path + ``.json``. Lists answer ``{"data": [...], "count": N}``. Every error
of the API answers ``{"error": {"status", "code", "message"}}``. Writes need an editor: a session
(login form, secure cookie, CSRF token in every form) or an API token (``Authorization: Bearer``).
A Content-Security-Policy header allows scripts, styles and images from this site only.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape as _escape

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from aiwatch import config
from aiwatch.extract import json_loads
from aiwatch.store import Store
from aiwatch.store import schema as t
from aiwatch.taxonomy import CATEGORIES, FIELDS, SEVERITIES
from aiwatch.web import editor as ED
from aiwatch.web import queries as Q

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
API_SUFFIXES = (".json", ".jsonl", ".csv", ".atom", ".bib")
# The largest row number both stores can hold (PostgreSQL's 4-byte INTEGER keys): a larger one names no row,
# and the stores raised on it (a 500 for /entities/99999999999999999999.json: SQLite past 2**63, PostgreSQL's
# bound parameter past 2**31).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]
MAX_PAGE = 1_000_000  # times MAX_PER_PAGE, still an offset the stores take; a page past the last one is empty


def highlight(snippet: str | None) -> Markup:
    """A search snippet with its matches marked: escaped first, so the text cannot carry markup."""
    if not snippet:
        return Markup("")
    safe = str(escape(snippet))
    return Markup(safe.replace(Q.MARK_OPEN, "<mark>").replace(Q.MARK_CLOSE, "</mark>"))


def safe_url(url: str | None) -> str:
    """Only http(s) links leave the site: a javascript: or data: URL from a feed becomes a dead link."""
    u = (url or "").strip()
    return u if u.lower().startswith(("http://", "https://")) else "#"


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (path.endswith(API_SUFFIXES) or path.startswith("/api/") or path == "/openapi.json"
            or "application/json" in request.headers.get("accept", "")
            or request.headers.get("authorization", "").lower().startswith("bearer ")
            or request.headers.get("content-type", "").startswith("application/json"))


def _row_ids(values: Any, message: str, status: int = 400) -> list[int]:
    """Row numbers from a form, a JSON body or a query: ASCII digits within MAX_ROW_ID, else ``status`` with
    ``message`` (``str.isdigit`` passes "²", which ``int`` refuses; past 4,300 digits ``int`` refuses too, so
    the length is checked first)."""
    out = []
    for value in values:
        text = str(value).strip().lstrip("0")
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)) or int(text) > MAX_ROW_ID:
            raise HTTPException(status, message)
        out.append(int(text))
    return out


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message}}


CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 422: "invalid", 500: "internal", 503: "store_unavailable"}


def create_app(db: str | None = None, *, require_login: bool | None = None, secret: str | None = None,
               cookie_secure: bool | None = None) -> FastAPI:
    store = Store(db)
    require_login = config.get("require_login") if require_login is None else require_login
    cookie_secure = config.get("cookie_secure") if cookie_secure is None else cookie_secure
    app = FastAPI(title="aiwatch", version="1", description="AI incidents found in the news: pages, API, feeds.",
                  docs_url=None, redoc_url=None)
    app.state.store = store
    cache = Q.TTLCache(ttl=60.0)
    app.state.cache = cache
    app.add_middleware(SessionMiddleware, secret_key=secret or config.get("secret") or secrets.token_hex(32),
                       session_cookie="aiwatch_session", https_only=cookie_secure, same_site="lax",
                       max_age=12 * 3600)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["highlight"] = highlight
    templates.env.filters["safe_url"] = safe_url
    templates.env.globals.update(CATEGORIES=CATEGORIES, SEVERITIES=SEVERITIES, FIELDS=FIELDS,
                                 LABEL_FILTERS=Q.LABEL_FILTERS,
                                 TAG_PARAM={v: k for k, v in Q.LABEL_FILTERS.items()})

    @app.middleware("http")
    async def headers_and_gate(request: Request, call_next: Any) -> Response:
        if require_login and request.method == "GET" and not _user(request) and not (
                request.url.path.startswith(("/static", "/login")) or request.url.path == "/openapi.json"):
            if _wants_json(request):
                response: Response = JSONResponse(error_body(401, "unauthorized", "log in to read this aiwatch"),
                                                  status_code=401)
            else:
                response = RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    # -- errors: one shape -----------------------------------------------------------------------
    def _error(request: Request, status: int, message: str, code: str | None = None) -> Response:
        code = code or CODES.get(status, "error")
        if _wants_json(request):
            return JSONResponse(error_body(status, code, message), status_code=status)
        return templates.TemplateResponse(request, "error.html", {"status": status, "code": code, "message": message,
                                                                  "user": _user(request)}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        msg = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return _error(request, 422, msg or "invalid request")

    @app.exception_handler(ED.NotFound)
    async def not_found(request: Request, exc: ED.NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(ED.EditError)
    async def bad_edit(request: Request, exc: ED.EditError) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def store_unavailable(request: Request, exc: Exception) -> Response:
        # Another program holding a SQLite store's write lock past AIWATCH_LOCK_TIMEOUT, or PostgreSQL gone:
        # the request did nothing, and the same request a little later will do.
        response = _error(request, 503, "the store is busy or unreachable; nothing was changed: try again shortly")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        return _error(request, 500, "internal error; the server log has the details")

    # -- auth helpers ----------------------------------------------------------------------------
    def _user(request: Request) -> dict[str, Any] | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return ED.user_for_token(store, auth[7:].strip())
        uid = request.session.get("user_id") if "session" in request.scope else None
        return ED.get_user(store, uid) if uid else None

    def _csrf(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(32)
        return request.session["csrf"]

    def _editor(request: Request, csrf: str | None) -> dict[str, Any]:
        """The editor behind a write, or 401; a session write must carry its CSRF token, or 403."""
        user = _user(request)
        if user is None:
            raise HTTPException(401, "log in (or send an API token) to change anything")
        if not request.headers.get("authorization", "").lower().startswith("bearer "):
            expected = request.session.get("csrf")
            if not expected or not csrf or not secrets.compare_digest(expected, csrf):
                raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and try again")
        return user

    def page(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
        ctx = {**ctx, "user": _user(request), "csrf": _csrf(request), "request_path": request.url.path}
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def _filters(request: Request, page_no: int, per_page: int) -> Q.Filters:
        p = request.query_params

        def _date(name: str) -> date | None:
            v = p.get(name)
            if not v:
                return None
            try:
                return date.fromisoformat(v)
            except ValueError as exc:
                raise HTTPException(422, f"{name}: use a date like 2025-01-31") from exc

        entity = p.get("entity")
        entity_id = _row_ids([entity], "entity: give the entity's number", 422)[0] if entity else None
        return Q.Filters(category=p.get("category") or None, severity=p.get("severity") or None,
                         status=p.get("status") or None, entity=entity_id,
                         date_from=_date("date_from"), date_to=_date("date_to"),
                         labels={k: p[k] for k in Q.LABEL_FILTERS if p.get(k)}, page=page_no, per_page=per_page)

    # -- pages and their JSON twins --------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview_page(request: Request) -> Response:
        with store.engine.connect() as conn:
            return page(request, "overview.html", {"o": cache.get("overview", lambda: Q.overview(conn))})

    @app.get("/index.json", summary="Overview: counts, incidents and hazards per month, top harms, industries, "
                                    "deployers and developers")
    def overview_json() -> dict[str, Any]:
        with store.engine.connect() as conn:
            return cache.get("overview", lambda: Q.overview(conn))

    def _list(request: Request, page_no: int, per_page: int) -> dict[str, Any]:
        with store.engine.connect() as conn:
            return Q.incident_list(conn, _filters(request, page_no, per_page), cache)

    list_doc = ("Filters: category, severity, status, harm_type, industry, stakeholder, ai_task, principle, country, "
                "entity (id), date_from, date_to (YYYY-MM-DD); page, per_page (max 100).")

    @app.get("/incidents.json", summary="Incidents, filtered and paginated", description=list_doc)
    def incidents_json(request: Request, page: int = Query(1, ge=1, le=MAX_PAGE),
                       per_page: int = Query(25, ge=1, le=Q.MAX_PER_PAGE)) -> dict[str, Any]:
        return _list(request, page, per_page)

    @app.get("/incidents", response_class=HTMLResponse, include_in_schema=False)
    def incidents_page(request: Request, page_no: int = Query(1, ge=1, le=MAX_PAGE, alias="page"),
                       per_page: int = Query(25, ge=1, le=Q.MAX_PER_PAGE)) -> Response:
        result = _list(request, page_no, per_page)
        base = {k: v for k, v in request.query_params.items() if k != "page"}
        return page(request, "incidents.html", {"r": result, "query": base,
                                                "qs": lambda **kw: urlencode({**base, **kw})})

    def _centroids(conn: Any) -> Any:
        return cache.get("centroids", lambda: Q.centroids(conn))

    def _incident(incident_id: int) -> dict[str, Any]:
        with store.engine.connect() as conn:
            rec = Q.incident(conn, incident_id, _centroids(conn))
        if rec is None:
            raise HTTPException(404, f"no incident {incident_id}")
        return rec

    @app.get("/incidents/{incident_id}.json", summary="One incident with its articles, entities, amounts and log")
    def incident_json(incident_id: RowId) -> dict[str, Any]:
        return _incident(incident_id)

    @app.get("/incidents/{incident_id}/cite.bib", summary="BibTeX for an incident",
             response_class=Response)
    def incident_bib(request: Request, incident_id: RowId) -> Response:
        rec = _incident(incident_id)
        return Response(bibtex(rec, str(request.base_url)), media_type="application/x-bibtex; charset=utf-8")

    @app.get("/incidents/{incident_id}", response_class=HTMLResponse, include_in_schema=False)
    def incident_page(request: Request, incident_id: RowId) -> Response:
        rec = _incident(incident_id)
        if rec["merged_into"]:
            return RedirectResponse(f"/incidents/{rec['merged_into']}", status_code=301)
        return page(request, "incident.html", {"i": rec, "citation": citation(rec, str(request.base_url)),
                                               "today": date.today().isoformat()})

    def _entities(kind: str | None, role: str | None, q: str, page_no: int, per_page: int) -> dict[str, Any]:
        # (empty means any: a form's "any" option sends it)
        for name, value, allowed in (("kind", kind, t.ENTITY_KINDS), ("role", role, t.ENTITY_ROLES)):
            if value and value not in allowed:
                raise HTTPException(422, f"{name}: choose one of {', '.join(allowed)}, or leave it out")
        with store.engine.connect() as conn:
            return cache.get(("entities", kind, role, q, page_no, per_page),
                             lambda: Q.entity_list(conn, kind=kind, role=role, q=q, page=page_no, per_page=per_page))

    @app.get("/entities.json", summary="Organisations, public bodies, AI systems and groups by their number of "
                                       "incidents", description="Filters: kind (organisation, public_body, "
             "ai_system, group), role (deployer, developer, harmed_party, implicated_system, responder), q (part of "
             "the name); page, per_page (max 100). Each entity: id, name, kind, incidents, and incidents per role.")
    def entities_json(kind: str | None = Query(None, max_length=20), role: str | None = Query(None, max_length=20),
                      q: str = Query("", max_length=200), page: int = Query(1, ge=1, le=MAX_PAGE),
                      per_page: int = Query(50, ge=1, le=Q.MAX_PER_PAGE)) -> dict[str, Any]:
        return _entities(kind or None, role or None, q, page, per_page)

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(request: Request, kind: str | None = Query(None, max_length=20),
                      role: str | None = Query(None, max_length=20), q: str = Query("", max_length=200),
                      page_no: int = Query(1, ge=1, le=MAX_PAGE, alias="page"),
                      per_page: int = Query(50, ge=1, le=Q.MAX_PER_PAGE)) -> Response:
        result = _entities(kind or None, role or None, q, page_no, per_page)
        base = {k: v for k, v in request.query_params.items() if k != "page" and v}
        return page(request, "entities.html", {"r": result, "query": base, "KINDS": t.ENTITY_KINDS,
                                               "ROLES": t.ENTITY_ROLES,
                                               "qs": lambda **kw: urlencode({**base, **kw})})

    def _entity(entity_id: int) -> dict[str, Any]:
        with store.engine.connect() as conn:
            rec = Q.entity(conn, entity_id)
        if rec is None:
            raise HTTPException(404, f"no entity {entity_id}")
        return rec

    @app.get("/entities/{entity_id}.json", summary="An organisation, public body, AI system or group: its "
                                                   "incidents by role, its amounts")
    def entity_json(entity_id: RowId) -> dict[str, Any]:
        return _entity(entity_id)

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: RowId) -> Response:
        return page(request, "entity.html", {"e": _entity(entity_id)})

    def _article(article_id: int) -> dict[str, Any]:
        with store.engine.connect() as conn:
            rec = Q.article(conn, article_id)
        if rec is None:
            raise HTTPException(404, f"no article {article_id}")
        return rec

    @app.get("/articles/{article_id}.json", summary="One article with its label and incidents")
    def article_json(article_id: RowId) -> dict[str, Any]:
        return _article(article_id)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: RowId) -> Response:
        return page(request, "article.html", {"a": _article(article_id)})

    def _search(q: str, page_no: int) -> dict[str, Any]:
        result = Q.search(store, q, limit=20, offset=(page_no - 1) * 20)
        if q.strip():
            with store.engine.connect() as conn:
                result["similar"] = Q.similar_to_text(conn, q, index=_centroids(conn)) \
                    if config.get("search_similar") else []
        return result

    @app.get("/search.json", summary="Full-text search over incidents and their articles, with snippets")
    def search_json(q: str = Query("", max_length=200), page: int = Query(1, ge=1, le=MAX_PAGE)) -> dict[str, Any]:
        """Each hit's ``snippet`` is plain text; ``snippet_html`` is the same text escaped, its matches in
        ``<mark>`` (safe to insert as HTML: the article text in it cannot carry markup)."""
        result = _search(q, page)
        for hit in result["data"]:
            raw = hit.get("snippet") or ""
            hit["snippet"] = raw.replace(Q.MARK_OPEN, "").replace(Q.MARK_CLOSE, "")
            hit["snippet_html"] = str(highlight(raw))
        return result

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = Query("", max_length=200), page_no: int = Query(1, ge=1,
                                                                                           alias="page")) -> Response:
        return page(request, "search.html", {"r": _search(q, page_no), "q": q})

    # -- feeds and exports -------------------------------------------------------------------------
    def _feed(request: Request, title: str, filters: Q.Filters, self_path: str) -> Response:
        filters.per_page = 50
        with store.engine.connect() as conn:
            result = Q.incident_list(conn, filters)
        return Response(atom(result["data"], title, str(request.base_url), self_path),
                        media_type="application/atom+xml; charset=utf-8")

    @app.get("/feed.atom", summary="Atom feed of new incidents (takes the list's filters)", response_class=Response)
    def feed(request: Request) -> Response:
        return _feed(request, "aiwatch: new AI incidents", _filters(request, 1, 50), request.url.path)

    @app.get("/entities/{entity_id}/feed.atom", summary="Atom feed of an entity's incidents", response_class=Response)
    def entity_feed(request: Request, entity_id: RowId) -> Response:
        e = _entity(entity_id)
        return _feed(request, f"aiwatch: {e['name']}", Q.Filters(entity=entity_id), request.url.path)

    @app.get("/tags/{field}/{label:path}/feed.atom", summary="Atom feed of the incidents with one tag "
                                                        "(field: harm_type, industry, stakeholder, ai_task, principle, "
                                                        "country)", response_class=Response)
    def tag_feed(request: Request, field: str, label: str) -> Response:
        if field not in Q.LABEL_FILTERS:
            raise HTTPException(404, f"no tag field {field!r}; use one of {', '.join(Q.LABEL_FILTERS)}")
        return _feed(request, f"aiwatch: {label}", Q.Filters(labels={field: label}), request.url.path)

    def _download(lines: Iterator[str], media_type: str, filename: str) -> Response:
        # Streamed a record at a time: a big store's export starts at once and is never whole in memory (the
        # CSVs were built in a buffer first). All of it is of one moment of the store (Store.snapshot).
        return StreamingResponse(lines, media_type=media_type,
                                 headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @app.get("/export/incidents.jsonl", summary="Every incident, one JSON object per line", response_class=Response)
    def export_incidents_jsonl() -> Response:
        from aiwatch.export import incident_lines

        return _download(incident_lines(store, "jsonl"), "application/x-ndjson", "incidents.jsonl")

    @app.get("/export/incidents.csv", summary="Every incident as a CSV row", response_class=Response)
    def export_incidents_csv() -> Response:
        from aiwatch.export import incident_lines

        return _download(incident_lines(store, "csv"), "text/csv; charset=utf-8", "incidents.csv")

    @app.get("/export/articles.jsonl", summary="Every article (no text), one JSON object per line",
             response_class=Response)
    def export_articles_jsonl() -> Response:
        from aiwatch.export import article_lines

        return _download(article_lines(store, "jsonl", include_text=False), "application/x-ndjson", "articles.jsonl")

    @app.get("/export/articles.csv", summary="Every article (no text) as a CSV row", response_class=Response)
    def export_articles_csv() -> Response:
        from aiwatch.export import article_lines

        return _download(article_lines(store, "csv", include_text=False), "text/csv; charset=utf-8", "articles.csv")

    # -- login ---------------------------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> Response:
        return page(request, "login.html", {"next": _safe_next(next), "failed": False})

    @app.post("/login", include_in_schema=False)
    def login(request: Request, username: str = Form(...), password: str = Form(...), csrf: str = Form(""),
              next: str = Form("/")) -> Response:
        expected = request.session.get("csrf")
        if not expected or not secrets.compare_digest(expected, csrf):
            raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and try again")
        user = ED.check_password(store, username, password)
        if user is None:
            return page(request, "login.html", {"next": _safe_next(next), "failed": True}, status=401)
        request.session.clear()  # a new session on login: no fixation
        request.session["user_id"] = user["id"]
        request.session["csrf"] = secrets.token_urlsafe(32)
        return RedirectResponse(_safe_next(next), status_code=303)

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: str = Form("")) -> Response:
        _editor(request, csrf)
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    # -- editor writes -----------------------------------------------------------------------------
    async def _body(request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                data = json_loads(await request.body())
            except (ValueError, RecursionError) as exc:
                raise HTTPException(400, "the body is not valid JSON") from exc
            if not isinstance(data, dict):
                raise HTTPException(400, "the body must be a JSON object")
            return data
        form = await request.form()
        out: dict[str, Any] = {}
        for k, v in form.multi_items():
            if not isinstance(v, str):  # an uploaded file: no editor form has one
                raise HTTPException(400, f"{k}: give text, not a file")
            out.setdefault(k, []).append(v)
        return {k: v if len(v) > 1 or k in ("article", "tags") else v[0] for k, v in out.items()}

    def _done(request: Request, incident_id: int) -> Response:
        cache.clear()  # counts changed
        if _wants_json(request):
            return JSONResponse({"data": _incident(incident_id)})
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)

    @app.post("/incidents/{incident_id}/confirm", summary="Confirm an incident (editor)")
    async def confirm(request: Request, incident_id: RowId) -> Response:
        body = await _body(request)
        user = _editor(request, body.get("csrf"))
        ED.set_status(store, user["id"], incident_id, "confirmed")
        return _done(request, incident_id)

    @app.post("/incidents/{incident_id}/reject", summary="Reject an incident: not an AI incident (editor)")
    async def reject(request: Request, incident_id: RowId) -> Response:
        body = await _body(request)
        user = _editor(request, body.get("csrf"))
        ED.set_status(store, user["id"], incident_id, "rejected")
        return _done(request, incident_id)

    @app.post("/incidents/{incident_id}/edit", summary="Edit title and summary (editor)")
    async def edit(request: Request, incident_id: RowId) -> Response:
        body = await _body(request)
        user = _editor(request, body.get("csrf"))
        ED.edit(store, user["id"], incident_id, title=body.get("title"), summary=body.get("summary"))
        return _done(request, incident_id)

    @app.post("/incidents/{incident_id}/relabel", summary="Relabel category, severity, tags (editor). "
                                                          "tags: {field: [label, ...]} in JSON, field:label in forms")
    async def relabel(request: Request, incident_id: RowId) -> Response:
        body = await _body(request)
        user = _editor(request, body.get("csrf"))
        tags = body.get("tags")
        if isinstance(tags, list):  # form: repeated "field:label"
            if not all(isinstance(item, str) for item in tags):
                raise HTTPException(400, 'tags: give an object of lists of labels, or "field:label" strings')
            parsed: dict[str, list[str]] = {}
            for item in tags:
                if ":" in item:
                    fld, lab = item.split(":", 1)
                    parsed.setdefault(fld, []).append(lab)
            tags = parsed
        ED.relabel(store, user["id"], incident_id, category=body.get("category") or None,
                   severity=body.get("severity"), tags=tags)
        return _done(request, incident_id)

    @app.post("/incidents/{incident_id}/merge", summary="Merge this incident into another (editor); body: into")
    async def merge(request: Request, incident_id: RowId) -> Response:
        body = await _body(request)
        user = _editor(request, body.get("csrf"))
        [into] = _row_ids([body.get("into", "")], "into: give the number of the incident to merge into")
        ED.merge(store, user["id"], incident_id, into)
        return _done(request, into)

    @app.post("/incidents/{incident_id}/split", summary="Split articles off into a new incident (editor); "
                                                        "body: article (ids), title")
    async def split(request: Request, incident_id: RowId) -> Response:
        body = await _body(request)
        user = _editor(request, body.get("csrf"))
        ids = body.get("article") or body.get("articles") or []
        ids = ids if isinstance(ids, list) else [ids]
        article_ids = _row_ids(ids, "article: give article numbers")
        new_id = ED.split(store, user["id"], incident_id, article_ids, title=body.get("title") or None)
        return _done(request, new_id)

    app.state.write_routes = [(r.path, sorted(r.methods)) for r in app.routes
                              if hasattr(r, "methods") and "POST" in r.methods]
    return app


def _safe_next(target: str) -> str:
    """Only local paths: a login form must not send anyone to another site."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


# -- citations and feeds -----------------------------------------------------------------------------
def _year(rec: dict[str, Any]) -> str:
    return (rec.get("event_date") or rec.get("first_seen") or datetime.now(UTC).isoformat())[:4]


def citation(rec: dict[str, Any], base: str) -> str:
    return (f"aiwatch ({_year(rec)}). {rec['title']}. aiwatch incident {rec['pk']}. "
            f"Retrieved {date.today().isoformat()} from {base}incidents/{rec['pk']}")


def bibtex(rec: dict[str, Any], base: str) -> str:
    def tex(s: str) -> str:
        return "".join("\\" + c if c in "&%$#_{}" else c for c in (s or "")).replace("~", "\\~{}")

    return (f"@misc{{aiwatch-incident-{rec['pk']},\n"
            f"  title = {{{tex(rec['title'])}}},\n"
            f"  author = {{{{aiwatch}}}},\n"
            f"  year = {{{_year(rec)}}},\n"
            f"  howpublished = {{\\url{{{base}incidents/{rec['pk']}}}}},\n"
            f"  note = {{aiwatch incident {rec['pk']}; {len(rec['articles'])} source articles; accessed "
            f"{date.today().isoformat()}}}\n}}\n")


# Characters XML 1.0 cannot hold at all, even escaped: one in an editor's title made the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_escape(value: str) -> str:
    """Text for an XML element or a double-quoted attribute: escaped, and without the characters XML forbids."""
    return _escape(_NOT_XML.sub("", value), {'"': "&quot;"})


def atom(items: list[dict[str, Any]], title: str, base: str, self_path: str) -> str:
    updated = max((i["last_seen"] or i["first_seen"] or "" for i in items), default="") or \
        datetime.now(UTC).isoformat()
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{xml_escape(title)}</title>", f"<id>{xml_escape(base + self_path.lstrip('/'))}</id>",
           f'<link rel="self" href="{xml_escape(base + self_path.lstrip("/"))}"/>',
           f'<link href="{xml_escape(base)}"/>', f"<updated>{xml_escape(updated)}</updated>",
           "<author><name>aiwatch</name></author>"]
    for i in items:
        url = f"{base}incidents/{i['id']}"
        out += ["<entry>", f"<title>{xml_escape(i['title'] or '')}</title>", f"<id>{xml_escape(url)}</id>",
                f'<link href="{xml_escape(url)}"/>',
                f"<updated>{xml_escape(i['last_seen'] or i['first_seen'] or updated)}</updated>",
                f"<category term=\"{xml_escape(i['category'] or 'unlabelled')}\"/>",
                f"<summary>{xml_escape(i['summary'] or '')}</summary>", "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"

