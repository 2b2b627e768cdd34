"""The CDS Hooks 2.0 service: discovery, the three hooks, feedback (FastAPI on uvicorn).

    GET  /cds-services                      discovery: the services and their prefetch templates
    POST /cds-services/{id}                 a hook call: cards (``[]`` when there is nothing to say)
    POST /cds-services/{id}/feedback        what the clinician did with a card (stored in SQLite)

Every call must carry a JWT signed by a trusted CDS client (:mod:`reasoner.serve.auth`); its
``aud`` is the URL of the endpoint called, under the service's public base URL. A refused call is
answered ``401`` with a JSON body; bad input ``400`` (``404`` for an unknown service, ``413`` for a
body over the limit, ``412`` when needed data is neither prefetched nor fetchable), always a JSON
object ``{"error": ..., "status": ...}`` and never a traceback. Each call is handled on its own:
nothing of one request is kept for the next except the issued cards (for feedback) and the
replay cache. One log line per request: service, hook, patient, cards, milliseconds, status.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from reasoner.config import CDS_BATCH_WAIT_MS, CDS_MAX_BATCH, MAX_CDS_BODY_BYTES
from reasoner.io.rdf import refuse_json_constant
from reasoner.serve.assessor import Assessor
from reasoner.serve.batching import Arrival
from reasoner.serve.auth import AuthError, ReplayCache, TrustConfig, Verifier
from reasoner.serve.cards import CardContext, Terms, patient_view_cards
from reasoner.serve.feedback import FeedbackStore
from reasoner.serve.fhir_client import FhirClient, FhirFetchError, NotFhir, normalise_base
from reasoner.serve.models import CdsResponse, CdsService, Discovery, FeedbackRequest, HookRequest
from reasoner.serve.orders import draft_orders, order_cards
from reasoner.serve.prefetch import MissingData, gather, prefetch_templates

log = logging.getLogger("trd.serve")


def configure_logging(level: str) -> None:
    """The service's log on stderr, the same in ``trd serve`` and in each worker process."""
    logging.basicConfig(level=getattr(logging, level.upper()), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

#: service id -> (hook, title, description)
SERVICES: dict[str, tuple[str, str, str]] = {
    "trd-patient-view": ("patient-view", "Treatment-resistant depression: status, causes, options",
                         "TRD status and stages with the failed adequate trials behind them, each pseudo-resistance "
                         "cause with its action, and the treatment options in order, with the rule and published "
                         "source of every conclusion. No card when there is nothing to say."),
    "trd-order-select": ("order-select", "Antidepressant order check (on selection)",
                         "Judges a selected MedicationRequest against the patient's data: a class that already failed "
                         "adequately, a dose below the minimum adequate dose, P-gp efflux and CYP metabolizer "
                         "findings, the bipolar spectrum, esketamine contraindications."),
    "trd-order-sign": ("order-sign", "Antidepressant order check (before signing)",
                       "The same checks as trd-order-select, on every drafted MedicationRequest before signing."),
}


@dataclass(frozen=True)
class ServeSettings:
    """How ``trd serve`` runs (every option of the command)."""

    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    policy: str = "default"
    as_of: str | None = None
    trust_file: Path | None = None
    insecure_dev: bool = False
    data_dir: Path = Path("trd-serve-data")
    fhir_servers: tuple[str, ...] = ()
    fhir_time_limit: float = 5.0
    max_body_bytes: int = MAX_CDS_BODY_BYTES
    report_url: str | None = None
    backend: str = "oxigraph"
    max_batch: int = CDS_MAX_BATCH
    batch_wait_ms: float = CDS_BATCH_WAIT_MS

    @property
    def base_url(self) -> str:
        """The service's URL as CDS clients call it (the ``aud`` of their tokens is under it)."""
        return normalise_base(self.public_url or f"http://{self.host}:{self.port}")


class ApiError(Exception):
    """A refusal with its HTTP status and a message for the JSON body."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    return JSONResponse({"error": message, "status": status, **extra}, status_code=status, headers=headers)


def _validation_message(exc: ValidationError) -> str:
    """The first problems of a request body, as 'where: what' (no input values echoed)."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "body"
        parts.append(f"{where}: {err.get('msg')}")
    return "; ".join(parts)


@dataclass
class Service:
    """Everything a request needs, made once at start."""

    settings: ServeSettings
    assessor: Assessor
    terms: Terms
    store: FeedbackStore
    verifier: Verifier | None
    replay: ReplayCache | None = None
    allowed_fhir: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def start(cls, settings: ServeSettings) -> "Service":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        verifier = replay = None
        if not settings.insecure_dev:
            if settings.trust_file is None:
                from reasoner.serve.auth import TrustConfigError

                raise TrustConfigError("trd serve needs --trust FILE (the CDS clients it trusts), or --insecure-dev "
                                       "for a local trial without authentication")
            trust = TrustConfig.load(settings.trust_file)
            replay = ReplayCache(settings.data_dir / "replay.sqlite")
            verifier = Verifier(trust, replay)
        assessor = Assessor(settings.policy, settings.as_of, settings.backend, settings.max_batch,
                            settings.batch_wait_ms)
        terms = Terms.from_graph(assessor.pipeline().ontology)
        prefetch_templates()  # build the templates (the importer's code index) before the first call
        store = FeedbackStore(settings.data_dir / "feedback.sqlite")
        # What exists now (ontology, rules, warm workspace) lives as long as the service: out of the
        # collector's way, as the cohort workers do (benchmarks/results/cohort-analysis.md).
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        return cls(settings, assessor, terms, store, verifier, replay,
                   frozenset(normalise_base(u) for u in settings.fhir_servers))

    def close(self) -> None:
        self.store.close()
        if self.replay is not None:
            self.replay.close()

    # --- steps ------------------------------------------------------------------------------------
    def authenticate(self, authorization: str | None, path: str, also: tuple[str, ...] = ()) -> None:
        if self.verifier is None:
            return
        audiences = [f"{self.settings.base_url}{path}", *(f"{self.settings.base_url}{p}" for p in also)]
        try:
            self.verifier.verify(authorization, audiences)
        except AuthError as exc:
            raise ApiError(401, str(exc)) from exc

    def discovery(self) -> dict[str, Any]:
        templates = prefetch_templates()
        services = [CdsService(hook=hook, title=title, description=description, id=sid, prefetch=templates)
                    for sid, (hook, title, description) in SERVICES.items()]
        return Discovery(services=services).model_dump(exclude_none=True)

    def _fetcher(self, request: HookRequest) -> tuple[Callable[[str], list[dict[str, Any]]] | None, str, list[FhirClient]]:
        """A fetch function toward the call's fhirServer, when the call allows it and the server is
        on the service's list; else None and why."""
        if not request.fhirServer:
            return None, "the call gives no fhirServer to fetch it from", []
        if request.fhirAuthorization is None:
            return None, "the call gives fhirServer without fhirAuthorization (no token to fetch with)", []
        if normalise_base(request.fhirServer) not in self.allowed_fhir:
            return None, ("the call's fhirServer is not one this service may contact "
                          "(trd serve --fhir-server)"), []
        client = FhirClient(request.fhirServer, request.fhirAuthorization.access_token, self.settings.fhir_time_limit)
        return client.fetch, "", [client]

    def hook(self, service_id: str, body: bytes, arrival: Arrival | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """A hook call: (response, log fields). ``arrival``: the call's place among the
        ``patient-view`` calls on their way to a batch (:meth:`Assessor.arrival`)."""
        hook_name = SERVICES[service_id][0]
        try:
            doc = json.loads(body, parse_constant=refuse_json_constant)
        except (ValueError, RecursionError) as exc:
            raise ApiError(400, f"the request body is not JSON ({getattr(exc, 'msg', type(exc).__name__)})") from exc
        if not isinstance(doc, dict):
            raise ApiError(400, "the request body is not a JSON object")
        try:
            request = HookRequest.model_validate(doc)
        except ValidationError as exc:
            raise ApiError(400, f"not a CDS Hooks request: {_validation_message(exc)}") from exc
        fields = {"hook": request.hook, "patient": request.context.patientId}
        if request.hook != hook_name:
            raise ApiError(400, f"service {service_id} answers the {hook_name} hook, not {request.hook!r}")
        orders_doc = request.context.draftOrders
        if hook_name != "patient-view":
            if not isinstance(orders_doc, dict) or orders_doc.get("resourceType") != "Bundle":
                raise ApiError(400, "context.draftOrders must be a FHIR Bundle of the drafted orders")
        fetch, why, clients = self._fetcher(request)
        try:
            try:
                gathered = gather(request.context.patientId, request.prefetch, fetch, why)
            finally:
                for client in clients:
                    client.close()
        except NotFhir as exc:
            raise ApiError(400, str(exc)) from exc
        except MissingData as exc:
            raise ApiError(412, f"prefetch {', '.join(exc.keys)} not given and not fetchable: {exc.why}",
                           missingPrefetch=exc.keys) from exc
        except FhirFetchError as exc:
            raise ApiError(412, f"the patient's data could not be fetched from fhirServer: {exc}") from exc
        fields["fetched"] = ",".join(gathered.fetched) or "-"
        notes: list[str] = []
        if hook_name == "patient-view":
            assessed = self.assessor.assess_view(request.context.patientId, gathered.resources, arrival)
            ctx = CardContext(assessed.result.policy, assessed.result.as_of, self._report_url(request))
            patient_view_cards(assessed.patient, assessed.import_problems, self.terms, ctx)
        else:
            with self.assessor.lock:
                try:
                    orders = draft_orders(orders_doc, request.context.selections, self.assessor.import_context)
                except NotFhir as exc:
                    raise ApiError(400, str(exc)) from exc
                assessed = self.assessor.assess(request.context.patientId, gathered.resources, keep_workspace=True)
                ctx = CardContext(assessed.result.policy, assessed.result.as_of, self._report_url(request))
                notes = order_cards(assessed.result.workspace, orders, assessed.patient, self.terms, ctx)
        footer = assessed.accounting()
        if gathered.other_patients:
            footer += f" {gathered.other_patients} record(s) about other patients were left out."
        if notes:
            footer += " " + " ".join(notes)
        cards = []
        for _, card in ctx.cards:
            card.detail = f"{card.detail}\n\n{footer}"
            cards.append(card)
        self.store.record_cards(service_id, ctx.policy, request.hookInstance,
                                ((c.uuid or "", t, c.indicator) for t, c in ctx.cards))
        fields["cards"] = len(cards)
        return CdsResponse(cards=cards).model_dump(exclude_none=True), fields

    def _report_url(self, request: HookRequest) -> str | None:
        template = self.settings.report_url
        return template.replace("{patientId}", request.context.patientId) if template else None

    def feedback(self, service_id: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            doc = json.loads(body, parse_constant=refuse_json_constant)
        except (ValueError, RecursionError) as exc:
            raise ApiError(400, "the request body is not JSON") from exc
        try:
            request = FeedbackRequest.model_validate(doc)
        except ValidationError as exc:
            raise ApiError(400, f"not a CDS Hooks feedback request: {_validation_message(exc)}") from exc
        items = [item.model_dump() for item in request.feedback]
        for n, item in enumerate(items):
            if item["outcome"] == "accepted" and not item.get("acceptedSuggestions"):
                raise ApiError(400, f"feedback.{n}: an accepted outcome needs acceptedSuggestions")
        stored = self.store.record_feedback(service_id, items)
        known = self.store.known_cards(i["card"] for i in items)
        return {"stored": stored, "unknownCards": sorted({i["card"] for i in items} - known)}, {"feedback": stored}


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) past ``limit`` bytes without reading the rest."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ApiError(413, f"the request body is larger than {limit} bytes")
        except ValueError as exc:
            raise ApiError(400, "Content-Length is not a number") from exc
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, f"the request body is larger than {limit} bytes")
    return bytes(body)


def create_app(settings: ServeSettings, service: Service | None = None) -> FastAPI:
    """The ASGI app of ``trd serve`` (the service is started now, so a bad trust file or policy
    fails at start, not at the first call)."""
    svc = service or Service.start(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        svc.close()

    app = FastAPI(title="trd-reasoner CDS Hooks service", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.service = svc
    insecure = " INSECURE-DEV" if svc.verifier is None else ""

    def line(request: Request, started: float, status: int, fields: dict[str, Any]) -> None:
        ms = (time.perf_counter() - started) * 1000
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        log.info("%s %s status=%d ms=%.1f%s%s", request.method, request.url.path, status, ms,
                 f" {extra}" if extra else "", insecure)

    async def guarded(request: Request, work: Callable[[], Any]) -> JSONResponse:
        started = time.perf_counter()
        fields: dict[str, Any] = {}
        try:
            payload, fields = await work()
            response = JSONResponse(payload)
        except ApiError as exc:
            response = _error(exc.status, exc.message, **exc.extra)
            fields.setdefault("error", json.dumps(exc.message, allow_nan=False)[:200])
        except Exception:  # a defect: answered without a traceback, logged for the operator
            log.exception("internal error on %s", request.url.path)
            response = _error(500, "internal error (logged by the service)")
        line(request, started, response.status_code, fields)
        return response

    @app.get("/cds-services")
    async def discovery(request: Request) -> JSONResponse:
        async def work() -> tuple[dict[str, Any], dict[str, Any]]:
            await run_in_threadpool(svc.authenticate, request.headers.get("authorization"), "/cds-services")
            return svc.discovery(), {}
        return await guarded(request, work)

    @app.post("/cds-services/{service_id}")
    async def call(service_id: str, request: Request) -> JSONResponse:
        async def work() -> tuple[dict[str, Any], dict[str, Any]]:
            path = f"/cds-services/{service_id}"
            viewing = SERVICES.get(service_id, ("",))[0] == "patient-view"
            # a patient-view call on its way to the assessor: a batch about to start waits for it
            with svc.assessor.arrival() if viewing else contextlib.nullcontext() as arrival:
                await run_in_threadpool(svc.authenticate, request.headers.get("authorization"), path)
                if service_id not in SERVICES:
                    raise ApiError(404, f"no CDS service {service_id!r} here (see GET /cds-services)")
                body = await _read_body(request, svc.settings.max_body_bytes)
                response, fields = await run_in_threadpool(svc.hook, service_id, body, arrival)
            return response, {"service": service_id, **fields}
        return await guarded(request, work)

    @app.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> JSONResponse:
        async def work() -> tuple[dict[str, Any], dict[str, Any]]:
            path = f"/cds-services/{service_id}/feedback"
            await run_in_threadpool(svc.authenticate, request.headers.get("authorization"), path,
                                    (f"/cds-services/{service_id}",))
            if service_id not in SERVICES:
                raise ApiError(404, f"no CDS service {service_id!r} here (see GET /cds-services)")
            body = await _read_body(request, svc.settings.max_body_bytes)
            response, fields = await run_in_threadpool(svc.feedback, service_id, body)
            return response, {"service": service_id, **fields}
        return await guarded(request, work)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    return app


#: Environment variable carrying the settings to each uvicorn worker process (``trd serve --workers``).
SETTINGS_ENV = "TRD_SERVE_SETTINGS"


def settings_to_env(settings: ServeSettings) -> str:
    """The settings as JSON for :data:`SETTINGS_ENV`."""
    doc = {k: (str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v)
           for k, v in settings.__dict__.items()}
    return json.dumps(doc, allow_nan=False)


def app_from_environment() -> FastAPI:
    """The app of one worker process, its settings read from :data:`SETTINGS_ENV` (uvicorn factory)."""
    doc = json.loads(os.environ[SETTINGS_ENV])
    for key in ("trust_file", "data_dir"):
        if doc.get(key) is not None:
            doc[key] = Path(doc[key])
    doc["fhir_servers"] = tuple(doc.get("fhir_servers") or ())
    return create_app(ServeSettings(**doc))


__all__ = ["create_app", "configure_logging", "app_from_environment", "settings_to_env", "SETTINGS_ENV", "ServeSettings", "Service", "SERVICES", "ApiError"]
