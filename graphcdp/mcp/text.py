"""The compact text of each tool's answer: what a model reads, a few short lines, every fact once."""

from __future__ import annotations

from typing import Any

from graphcdp.mcp.results import (
    CustomerBrief,
    CustomerContextResult,
    IdentifierView,
    JourneyResult,
    LinkExplanationResult,
    SearchResult,
    SegmentMembersResult,
    TouchpointView,
)

_MAX_TRAIT_TEXT = 80  # characters of one trait value in the text (the structured content has it whole)


def _identifier(i: IdentifierView) -> str:
    flags = [flag for flag, on in (("shared", i.shared), ("blocked", i.blocked)) if on]
    return f"{i.type}:{i.value}" + (f" ({', '.join(flags)})" if flags else "")


def _identifiers(identifiers: list[IdentifierView], total: int | None = None) -> str:
    shown = ", ".join(_identifier(i) for i in identifiers) or "none"
    more = (total or 0) - len(identifiers)
    return shown + (f", and {more} more" if more > 0 else "")


def _trait(value: Any) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    else:
        text = str(value)
    return text if len(text) <= _MAX_TRAIT_TEXT else text[: _MAX_TRAIT_TEXT - 1] + "…"


def _touchpoint(t: TouchpointView) -> str:
    parts = [t.occurred_at[:16].replace("T", " "), t.type]
    if t.channel:
        parts.append(f"via {t.channel}")
    if t.amount is not None:
        parts.append(f"{t.amount:.2f}{f' {t.currency}' if t.currency else ''}")
    return " ".join(parts)


def _brief(c: CustomerBrief) -> str:
    return f"{c.name or 'Unnamed customer'} (person {c.person_id}): {_identifiers(c.identifiers)}"


def _more(has_more: bool, cursor: str | None) -> str:
    return f"More: call again with cursor {cursor}." if has_more and cursor else "No more."


def customer_context_text(r: CustomerContextResult) -> str:
    m = r.metrics
    activity = [f"{m.orders} orders", f"{m.net_revenue:.2f} net revenue", f"{m.touchpoints} touchpoints"]
    activity.append(f"RFM {m.rfm}")
    if m.last_seen_at:
        activity.append(f"last seen {m.last_seen_at[:10]}")
    if m.engagement_declining:
        activity.append("engagement declining")
    consents = [f"{c.purpose}/{c.channel} {c.status}" for c in r.consents]
    lines = [
        f"Person {r.person_id}, found by {r.identifier}.",
        f"Summary: {r.summary}",
        f"Identifiers: {_identifiers(r.identifiers, r.identifiers_total)}",
        "Traits: " + ("; ".join(f"{k}={_trait(v)}" for k, v in r.traits.items()) or "none"),
        "Consent in force: " + ("; ".join(consents) or "no statement"),
        "Activity: " + ", ".join(activity),
        "Segments: " + (", ".join(r.segments) or "none"),
        "Recent touchpoints: " + ("; ".join(_touchpoint(t) for t in r.recent_touchpoints) or "none"),
    ]
    return "\n".join(lines)


def search_text(r: SearchResult) -> str:
    if not r.customers:
        return f"No customer matches {r.query!r}."
    lines = [f"{len(r.customers)} customers match {r.query!r}, best first:"]
    lines += [f"{n}. {_brief(h)}; score {h.score:.0f} on {h.matched_on}" for n, h in enumerate(r.customers, 1)]
    lines.append(_more(r.has_more, r.next_cursor))
    return "\n".join(lines)


def journey_text(r: JourneyResult) -> str:
    lines = [f"Person {r.person_id}: {r.total} touchpoints; {len(r.touchpoints)} here, newest first:"]
    lines += [f"- {_touchpoint(t)}{f' (source {t.source})' if t.source else ''}" for t in r.touchpoints]
    lines.append(_more(r.has_more, r.next_cursor))
    return "\n".join(lines)


def link_text(r: LinkExplanationResult) -> str:
    head = f"Linked: person {r.person_id}. {r.reason}" if r.linked else f"Not linked. {r.reason}"
    lines = [head]
    for n, hop in enumerate(r.hops, 1):
        how = (
            f"match score {hop.score:.2f}" + (" (accepted by a reviewer)" if hop.reviewed else "")
            if hop.kind == "MATCH" and hop.score is not None
            else f"seen by {hop.source}:{hop.source_id}"
        )
        lines.append(f"{n}. {hop.from_} -> {hop.to}: {hop.kind.lower()}, {how}{f', {hop.at[:10]}' if hop.at else ''}")
    if r.hops_total > len(r.hops):
        lines.append(f"({r.hops_total - len(r.hops)} more hops not shown)")
    return "\n".join(lines)


def segment_text(r: SegmentMembersResult) -> str:
    title = f"Segment {r.key}" + (f" ({r.name})" if r.name else "")
    lines = [f"{title}: {r.size} members; {len(r.members)} here, by person id:"]
    lines += [f"- {_brief(c)}" for c in r.members]
    lines.append(_more(r.has_more, r.next_cursor))
    return "\n".join(lines)
