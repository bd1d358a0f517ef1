"""The rules identity resolution follows, made once from the settings (graphcdp/identity/service.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphcdp.identity.matching.active_model import MatchingRuntime
from graphcdp.identity.normalize import IdentifierPolicy


@dataclass(frozen=True)
class ResolutionRules:
    policy: IdentifierPolicy
    source_priority: Sequence[str]
    shared_after_rejections: int
    max_component_records: int
    retries: int
    matching: MatchingRuntime | None = None  # None: deterministic linking only
