"""Cold start: the settings validated once, and every table pointed at its configured name.

Each function calls `configure()` when its module is imported (Lambda's init phase), so a missing or wrong
setting fails the cold start, not a request.
"""

from __future__ import annotations

from shared.config import Settings, settings
from shared.data.items import bind_tables


def configure() -> Settings:
    config = settings()
    bind_tables(config)
    return config
