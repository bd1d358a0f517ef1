"""The composition root: settings -> store -> services, started together and closed together.

Every entry point (the app, each CLI command, the benchmarks) gets its services here and nowhere else, so
none of them can skip a start-up step: reading the matching model stored in the graph, ranking the review
queue. A test (tests/unit/test_wiring.py) fails when a module outside this one builds a service or opens
a store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from graphcdp.auth.audit import AuditTrail
from graphcdp.auth.keys import ApiKeyService
from graphcdp.explore.graph import GraphExplorer
from graphcdp.explore.search import PersonSearch
from graphcdp.feed.service import ChangeFeedService
from graphcdp.identity.service import IdentityService
from graphcdp.ingest.touchpoint_sink import TouchpointSink
from graphcdp.predictions.service import PredictionService
from graphcdp.privacy.service import PrivacyService
from graphcdp.profiles.service import ProfileService
from graphcdp.segments.maintenance import SegmentMaintenance
from graphcdp.segments.service import SegmentService
from graphcdp.settings import Settings
from graphcdp.status import ServiceStatus, service_status
from graphcdp.store import GraphStore, open_store
from graphcdp.webhooks.service import WebhookService


@dataclass(frozen=True)
class Services:
    """Everything the entry points use, built over one store with one set of settings, started."""

    settings: Settings
    store: GraphStore
    identity: IdentityService
    profiles: ProfileService
    touchpoint_sink: TouchpointSink  # the bulk importer's sink for touchpoint files
    explorer: GraphExplorer
    search: PersonSearch
    privacy: PrivacyService  # forgetPerson, liftSuppression, exportPerson
    keys: ApiKeyService  # API keys: created, listed, revoked, and checked on every request
    audit: AuditTrail  # who did which admin or privacy action: services.audit.record(actor, action, target)
    changes: ChangeFeedService  # the change feed: changes, subscriptions, retention
    webhooks: WebhookService  # webhook destinations; their dispatcher runs only in the service (webhooks.start())
    segments: SegmentService  # saved audiences, kept current after every mutation (identity.listeners)
    predictions: PredictionService  # the fitted BG/NBD and Gamma-Gamma models, value analytics (docs/predictions.md)

    async def status(self) -> ServiceStatus:
        """The version and whether the database answers, checked now (readiness, `health`)."""
        return await service_status(self.store)


def _build(store: GraphStore, settings: Settings) -> Services:
    identity = IdentityService(store, settings)
    predictions = PredictionService(store, settings)
    profiles = ProfileService(identity, settings, predictions)
    audit = AuditTrail(store)
    segments = SegmentService(store, identity, settings, predictions=predictions)
    identity.listeners.subscribe(SegmentMaintenance(segments))
    return Services(
        settings=settings,
        store=store,
        identity=identity,
        profiles=profiles,
        touchpoint_sink=TouchpointSink(profiles),
        explorer=GraphExplorer(
            store, identity.policy, max_depth=settings.graph_max_depth, node_limit=settings.graph_node_limit
        ),
        search=PersonSearch(store, identity.policy),
        privacy=PrivacyService(identity, settings),
        keys=ApiKeyService(store, settings, audit),
        audit=audit,
        changes=ChangeFeedService(store, settings),
        webhooks=WebhookService(store, settings, audit),
        segments=segments,
        predictions=predictions,
    )


async def _start(
    services: Services, *, worker: bool = False, repair: bool = False, repair_in_background: bool = False
) -> None:
    try:
        await _start_services(services, worker=worker, repair=repair, background=repair_in_background)
    except BaseException:
        await services.identity.close()  # no beat outlives a failed start; what it left undone stays recorded
        raise


async def _start_services(services: Services, *, worker: bool, repair: bool, background: bool) -> None:
    if worker:  # one of `serve --workers`: its supervisor made the start-up repairs and runs retention
        await services.identity.run.open()  # it writes: its run is recorded, so its crash is repaired
        await services.identity.load_stored_model()
        return
    # Reads the stored matching model: without it, a trained model would wait for the first refresh.
    await services.identity.start(repair=repair, background=background)
    await services.predictions.start()  # the stored prediction model, as the matching one
    services.changes.start()  # retention, in the background


@asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    cypher_roots: Sequence[Path] = (),
    reset: bool = False,
    worker: bool = False,
    repair: bool = False,
    repair_in_background: bool = False,
) -> AsyncIterator[Services]:
    """Open the configured store, build and start every service; close the store (and stop an embedded
    database) on the way out. `cypher_roots` add statement folders (the benchmarks' own); `reset` empties
    the graph first (benchmarks start from an empty graph), before anything reads it; `worker`: a worker of
    `serve --workers`, which leaves start-up repairs and background jobs to its supervisor; `repair`: every
    start-up migration and crash repair, whatever the graph records (`graphcdp repair`); `repair_in_background`:
    the crash repairs run beside the services instead of before them (`graphcdp serve`)."""
    store = await open_store(settings, cypher_roots=cypher_roots, ensure_schema=not reset)
    try:
        if reset:
            await store.destroy()
            await store.ensure_schema()
        services = _build(store, settings)
        await _start(services, worker=worker, repair=repair, repair_in_background=repair_in_background)
        try:
            yield services
        finally:
            await services.webhooks.close()
            await services.changes.close()
            await services.privacy.close()  # a compaction an erasure still owes runs before the database stops
            await services.identity.close()  # this run's record: removed, or left for the next start to repair
    finally:
        await store.close()


@asynccontextmanager
async def services_on(store: GraphStore, settings: Settings) -> AsyncIterator[Services]:
    """Build and start the services over a store the caller opened and will close (tests, each on its
    own graph)."""
    services = _build(store, settings)
    await _start(services)
    try:
        yield services
    finally:
        await services.webhooks.close()
        await services.changes.close()
        await services.privacy.close()
        await services.identity.close()
