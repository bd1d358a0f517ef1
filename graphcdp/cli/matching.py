"""`graphcdp matching train | rescore`: learn a matching model from the graph, and apply a new one."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from graphcdp.settings import Settings, load_settings


async def _train(settings: Settings, args: argparse.Namespace) -> str:
    from graphcdp.identity.matching.storage import store_model
    from graphcdp.identity.matching.training import read_records, summary, train
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        store = services.store
        before = services.identity.matching.model
        records = await read_records(store, before)
        trained = train(
            before, records, random_pairs=args.random_pairs, use_identifiers=not args.no_identifiers, seed=args.seed
        )
        if args.out:
            await asyncio.to_thread(Path(args.out).write_text, trained.to_json() + "\n", encoding="utf-8")
        stored = trained if args.dry_run else await store_model(store, trained)
    lines = [
        f"trained on {len(records):,} records: {trained.trained.random_pairs if trained.trained else 0:,} random "
        f"pairs, {trained.trained.blocked_pairs if trained.trained else 0:,} blocked pairs, "
        f"{trained.trained.labelled_pairs if trained.trained else 0:,} pairs proven by identifiers; "
        f"prior {before.prior:.3g} -> {trained.prior:.3g}",
        f"{'field':<22} {'level':<20} {'weight before':>14} {'after':>8} {'m':>8} {'u':>10}  kept",
    ]
    lines += [
        f"{r['field']:<22} {r['level']:<20} {r['weightBefore']:>14.2f} {r['weightAfter']:>8.2f} {r['m']:>8.4f} "
        f"{r['u']:>10.6f}  {r['kept']}".rstrip()
        for r in summary(before, trained)
    ]
    lines.append(
        'kept: "m" where no source had enough evidence (docs/matching.md), "u" where the model says trainU false'
    )
    lines.append(
        "not stored (--dry-run)"
        if args.dry_run
        else f"stored as model version {stored.version}, in force now; `graphcdp matching rescore` shows what "
        "changes for the links made so far (running services switch to it within GRAPHCDP_MATCHING_MODEL_REFRESH "
        "seconds)"
    )
    return "\n".join(lines)


async def _rescore(settings: Settings, args: argparse.Namespace) -> str:
    from tqdm import tqdm  # type: ignore[import-untyped]

    from graphcdp.identity.matching.rescore import rescore_links
    from graphcdp.identity.rematch import rematch_all
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        store, identity = services.store, services.identity
        report = await rescore_links(store, identity.matching)
        result: dict[str, Any] = {"model": identity.matching.rule, **report.to_dict()}
        if args.apply:
            with tqdm(desc="rematch", unit="rec", disable=not args.progress) as bar:
                result["rematched"] = await rematch_all(
                    store, identity.rules, identity.matching, progress=bar.update, changes=identity.listeners
                )
    if args.json:
        return json.dumps(result, indent=2)
    lines = [f"model {result['model']}: {report.links:,} links scored by earlier models"]
    lines += [f"  {c['from']} -> {c['to']}: {c['pairs']:,}" for c in result["changes"]] or ["  nothing changes"]
    if args.apply:
        lines.append(f"applied: {result['rematched']:,} records matched again and resolved")
    else:
        lines.append("nothing written; --apply matches every record again under this model")
    return "\n".join(lines)


def matching_train(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    print(asyncio.run(_train(settings, args)))


def matching_rescore(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    print(asyncio.run(_rescore(settings, args)))


def add_commands(commands: Any) -> None:
    matching = commands.add_parser("matching", help="probabilistic matching: train a model, rescore links")
    actions = matching.add_subparsers(dest="matching", required=True)
    train = actions.add_parser("train", help="learn m, u and the prior from the records in the graph (unsupervised)")
    train.add_argument("--random-pairs", type=int, default=200_000, help="random pairs that estimate u (200000)")
    train.add_argument("--no-identifiers", action="store_true", help="do not learn m from pairs that identifiers prove")
    train.add_argument("--seed", type=int, default=1, help="random seed of the pair sampling (default 1)")
    train.add_argument("--out", help="also write the trained model (JSON) to this file")
    train.add_argument("--dry-run", action="store_true", help="print what was learned, store nothing")
    train.set_defaults(handler=matching_train)
    rescore = actions.add_parser("rescore", help="what the model in force changes for existing links")
    rescore.add_argument("--apply", action="store_true", help="match every record again under the model in force")
    rescore.add_argument("--json", action="store_true", help="print the report as JSON")
    rescore.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    rescore.set_defaults(handler=matching_rescore)
