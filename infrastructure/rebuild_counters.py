"""Recount the Overview's counters of academic years from their claims (ADR 0028).

`python -m infrastructure.rebuild_counters --stack <stack name> "2025 to 2026" "2026 to 2027"` finds the
stack's tables from CloudFormation (by the template's own table variables) and runs the rebuild use case for
each year: a Query of the year's listing index a page at a time, then one update adding the difference. Without
`--stack` it uses the `*_TABLE` variables already set (the local stack's, a test's). Run it after the counters
table is first deployed, and whenever a year is quiet and its figures are doubted; a second run finds nothing
to correct.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from infrastructure.local.template import load_template, table_definitions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def point_at_stack(stack: str) -> None:
    import boto3

    resources = boto3.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    tables = table_definitions(load_template(os.path.join(ROOT, "template.yaml")), lambda logical: physical[logical])
    for variable, spec in tables.items():
        os.environ[variable] = spec.create_kwargs["TableName"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("years", nargs="+", help='academic years, e.g. "2026 to 2027"')
    parser.add_argument("--stack", help="the deployed stack whose tables to rebuild (default: the environment's)")
    args = parser.parse_args(argv)
    from shared.claims.academic_years import AcademicYear

    years = [AcademicYear.parse(year).name for year in args.years]  # refuses "2026" or "2026 to 2028"
    if args.stack:
        point_at_stack(args.stack)
    from shared.config import settings
    from shared.data.items import bind_tables
    from shared.usecases.support_overview import rebuild_counters

    settings.cache_clear()
    bind_tables(settings())
    for year in years:
        rebuilt = rebuild_counters(year)
        print(f"{rebuilt.year}: {rebuilt.claims:,} claims counted, {rebuilt.corrected:,} counters corrected")


if __name__ == "__main__":
    main()
