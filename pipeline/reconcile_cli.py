"""``python -m pipeline reconcile [--full]``: exact re-clustering of the exchanges, as upkeep.

The load assigns new claims online (stored exchanges grow or merge, never split); this command
re-clusters exactly and logs every merge, split and move (docs/reconciliation.md).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from pipeline.cli import command
from pipeline.settings import Settings


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--full", action="store_true",
                   help="every exchange of every kind (default: the neighbourhood of the claims attached "
                        "since the last run of this command)")
    p.add_argument("--run-id", help="run identity (default: reconcile-<timestamp>)")
    p.add_argument("--warehouse", type=Path, help="DuckDB file (default: PIPELINE_WAREHOUSE)")


@command("reconcile", "re-cluster the exchanges exactly (upkeep: repairs the order effects of online assignment)",
         _args)
def cmd_reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.warehouse.exchanges_upkeep import reconcile_warehouse

    now = datetime.now(UTC)
    run_id = args.run_id or "reconcile-" + now.strftime("%Y%m%dT%H%M%S%fZ")
    print(json.dumps(reconcile_warehouse(settings, run_id, now, full=args.full)))
    return 0
