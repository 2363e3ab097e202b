"""Cold start: the settings validated once, every table pointed at its configured name, and PynamoDB's botocore
sessions made to share one data loader (`shared.data.botocore_data`, ADR 0043).

Each function calls `configure()` when its module is imported (Lambda's init phase), so a missing or wrong
setting fails the cold start, not a request.
"""

from __future__ import annotations

from shared.config import Settings, settings
from shared.data.botocore_data import load_dynamodb_data, share_botocore_data
from shared.data.items import bind_tables
from shared.snapstart import before_snapshot


def configure() -> Settings:
    config = settings()
    bind_tables(config)
    share_botocore_data()
    before_snapshot(load_dynamodb_data)  # SnapStart functions only: botocore's data read once, in the snapshot
    return config
