"""GraphQL of erasure, suppression and subject export: forgetPerson, liftSuppression, exportPerson
(graphcdp/privacy/; docs/privacy.md)."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from graphcdp.api.audit import audit
from graphcdp.api.auth import needs
from graphcdp.api.common import IdentifierInput
from graphcdp.api.context import Info
from graphcdp.auth.audit import AuditAction
from graphcdp.auth.scopes import Scope
from graphcdp.model.privacy import Erasure


@strawberry.type(description="What forgetPerson removed, and where the rest of her former cluster went.")
class ForgetPersonPayload:
    person_id: strawberry.ID = strawberry.field(description="The person erased (a retired id leads to its survivor).")
    records: int = strawberry.field(description="Records removed (her touchpoint and consent evidence among them).")
    identifiers: int = strawberry.field(description="Identifiers removed: those only her records held.")
    identifiers_kept: int = strawberry.field(
        description="Identifiers kept because a record of another person holds them too (a household email)."
    )
    touchpoints: int = strawberry.field(description="Touchpoints (orders among them) reached only through her.")
    consents: int = strawberry.field(description="Consent statements given through her removed identifiers.")
    pairs: int = strawberry.field(
        description="Review pairs (POSSIBLE_MATCH), match links (MATCHED) and decisions (NOT_MATCHED) removed."
    )
    match_keys: int = strawberry.field(description="Match keys only her records were filed under.")
    tombstones: int = strawberry.field(description="Identifiers suppressed: later items carrying them get SUPPRESSED.")
    person_ids: list[strawberry.ID] = strawberry.field(
        description="Persons the rest of her former cluster resolved into (holders of the kept evidence)."
    )

    @classmethod
    def from_model(cls, erasure: Erasure) -> ForgetPersonPayload:
        return cls(
            person_id=strawberry.ID(erasure.person),
            records=erasure.records,
            identifiers=erasure.identifiers,
            identifiers_kept=erasure.identifiers_kept,
            touchpoints=erasure.touchpoints,
            consents=erasure.consents,
            pairs=erasure.pairs,
            match_keys=erasure.match_keys,
            tombstones=erasure.tombstones,
            person_ids=[strawberry.ID(p) for p in erasure.person_ids],
        )


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        extensions=needs(Scope.PRIVACY),
        description="Everything held about a person, with sources and times: records, identifiers, golden traits, "
        "touchpoints, consent statements, match decisions, segments (docs/privacy.md). PERSON_NOT_FOUND if unknown.",
    )
    async def export_person(self, info: Info, id: strawberry.ID) -> JSON:
        exported = await info.context.services.privacy.export_person(str(id))
        await audit(info, AuditAction.PERSON_EXPORTED, str(id))
        return cast(JSON, exported)


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        extensions=needs(Scope.PRIVACY),
        description="Erase a person: everything that identifies or describes her, not what others also hold; her "
        "identifiers are suppressed (SUPPRESSED) until liftSuppression. PERSON_NOT_FOUND if unknown.",
    )
    async def forget_person(self, info: Info, id: strawberry.ID) -> ForgetPersonPayload:
        erasure = await info.context.services.privacy.forget_person(str(id))
        # The person id is a random id graphcdp gave her, not personal data; it names nothing once she is gone.
        await audit(info, AuditAction.PERSON_FORGOTTEN, str(id))
        return ForgetPersonPayload.from_model(erasure)

    @strawberry.mutation(
        extensions=needs(Scope.PRIVACY),
        description="Let records and touchpoints carrying this erased identifier in again; whether it was suppressed.",
    )
    async def lift_suppression(self, info: Info, identifier: IdentifierInput) -> bool:
        lifted = await info.context.services.privacy.lift_suppression(identifier.type, identifier.value)
        # The trail names the identifier's type only: its value is exactly what an erasure must not keep.
        await audit(info, AuditAction.SUPPRESSION_LIFTED, f"{identifier.type}:…")
        return lifted
