"""Profiles as the API reads and writes them: touchpoints in; journeys, metrics and consent out.

The read methods take many persons at once: they are the batch functions of per-request DataLoaders,
so a page of profiles costs one round trip per kind of data, not one per person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from graphcdp.clock import now_ms
from graphcdp.identity.listeners import ChangedData
from graphcdp.identity.service import IdentityService
from graphcdp.model.identity import ItemError
from graphcdp.model.predictions import PredictionModel
from graphcdp.model.profiles import Activity, ConsentStatement, JourneyPage, Metrics, TouchpointInput, TrackOutcome
from graphcdp.predictions.service import PredictionService
from graphcdp.privacy.consent import ConsentRequest, consent_statements, set_consent
from graphcdp.profiles.context import CustomerSnapshot, customer_snapshot
from graphcdp.profiles.journey import JourneyQuery, journey_pages
from graphcdp.profiles.metrics import MetricsConfig, compute_metrics
from graphcdp.profiles.touchpoints import ParsedTouchpoints, parse_touchpoints, track_touchpoints
from graphcdp.settings import Settings
from graphcdp.store import statement

ACTIVITY = statement("profiles/activity", Activity)


class ProfileService:
    def __init__(
        self, identity: IdentityService, settings: Settings, predictions: PredictionService | None = None
    ) -> None:
        self.store = identity.store
        self.rules = identity.rules
        self.suppression = identity.suppression
        self.listeners = identity.listeners
        self.run = identity.run
        self.settle = identity.settle
        self.max_batch = settings.max_batch_size
        self.metrics_config = MetricsConfig.from_settings(settings)
        self.consent_max_clock_skew_ms = int(settings.consent_max_clock_skew * 1000)
        self.predictions = predictions  # the prediction model in force: probabilityAlive

    def parse_batch(self, items: Sequence[TouchpointInput | ItemError]) -> ParsedTouchpoints:
        """A bulk import's batch validated, no database work (graphcdp/ingest/bulk.py parses ahead in a thread)."""
        return parse_touchpoints(items, self.rules, self.max_batch)

    async def track(self, items: Sequence[TouchpointInput | ItemError] | ParsedTouchpoints) -> TrackOutcome:
        outcome = await track_touchpoints(self.store, self.rules, items, self.max_batch, self.suppression, run=self.run)
        await self.settle.wrote(len(outcome.results))
        # New identifiers and the links they made change who is who, beyond the touchpoints themselves.
        kinds = {ChangedData.TOUCHPOINTS}
        if outcome.persons_created or outcome.persons_merged:
            kinds.add(ChangedData.EVIDENCE)
        persons = {r.person_id for r in outcome.results if r.person_id}
        await self.listeners.changed(persons, kinds, retired=outcome.persons_merged)
        return outcome

    async def set_consent(self, request: ConsentRequest) -> tuple[ConsentStatement, str]:
        # A statement through an erased identifier would bring it back into the graph: SUPPRESSED.
        await self.suppression.check(self.rules.policy.normalize(request.identifier_type, request.identifier_value))
        statement, person = await set_consent(
            self.store, self.rules, request, max_clock_skew_ms=self.consent_max_clock_skew_ms, run=self.run
        )
        await self.listeners.changed([person], {ChangedData.CONSENT})
        return statement, person

    async def journeys(self, queries: Sequence[JourneyQuery]) -> list[JourneyPage]:
        return await journey_pages(self.store, queries)

    async def metrics(self, persons: Sequence[str]) -> list[Metrics]:
        rows = {row.person: row.events for row in await self.store.run(ACTIVITY, {"persons": list(persons)})}
        now = now_ms()
        config = await self._metrics_config()
        return [compute_metrics(rows.get(person, []), now, config) for person in persons]

    async def _metrics_config(self) -> MetricsConfig:
        """The metrics' settings with the prediction model in force (probabilityAlive), if one is."""
        model: PredictionModel | None = await self.predictions.current() if self.predictions else None
        return replace(self.metrics_config, alive=model.purchases) if model else self.metrics_config

    async def customer(self, key: str, touchpoints: int, *, whole_person: bool = True) -> CustomerSnapshot | None:
        """The person of a normalized identifier key with her metrics, consents and newest touchpoints, read in
        one round trip (the `context` query); without `whole_person`, not her history and records."""
        return await customer_snapshot(
            self.store, key, touchpoints, await self._metrics_config(), whole_person=whole_person
        )

    async def consents(self, persons: Sequence[str]) -> list[list[ConsentStatement]]:
        return await consent_statements(self.store, persons)
