"""The matching model in force. A new model (trained, or set through the admin mutation) replaces it in one
assignment, after it was validated, so a refused model leaves the running one as it was."""

from __future__ import annotations

from graphcdp.identity.matching.scoring import Scorer
from graphcdp.identity.matching.spec import MatchingModel


class MatchingRuntime:
    def __init__(self, model: MatchingModel, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.scorer = Scorer(model)

    @property
    def model(self) -> MatchingModel:
        return self.scorer.model

    @property
    def rule(self) -> str:
        """What MATCHED edges and history name as the rule that linked: the model and its version."""
        return f"{self.model.name}@{self.model.version}"

    def activate(self, model: MatchingModel) -> None:
        self.scorer = Scorer(model, self.scorer.nicknames)
