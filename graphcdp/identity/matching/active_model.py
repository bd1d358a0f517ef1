"""The matching model in force. A new model (trained, or set through the admin mutation) replaces it in one
assignment, after it was validated, so a refused model leaves the running one as it was."""

from __future__ import annotations

from collections.abc import Iterable

from graphcdp.identity.matching.identifying import with_identifying_traits
from graphcdp.identity.matching.scoring import Scorer
from graphcdp.identity.matching.spec import MatchingModel


class MatchingRuntime:
    def __init__(self, model: MatchingModel, *, enabled: bool = True, identifying: Iterable[str] = ()) -> None:
        self.enabled = enabled
        self.identifying = tuple(identifying)  # traits every model in force compares (GRAPHCDP_IDENTIFYING_TRAITS)
        self.scorer = Scorer(with_identifying_traits(model, self.identifying))

    @property
    def model(self) -> MatchingModel:
        return self.scorer.model

    @property
    def rule(self) -> str:
        """What MATCHED edges and history name as the rule that linked: the model and its version."""
        return f"{self.model.name}@{self.model.version}"

    def activate(self, model: MatchingModel) -> None:
        self.scorer = Scorer(with_identifying_traits(model, self.identifying), self.scorer.nicknames)
