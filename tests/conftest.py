"""Root fixtures: every suite runs with the test environment (no real AWS, fixed table names)."""

from __future__ import annotations

import sys

from tests.support import ROOT, apply_test_environment

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

apply_test_environment()
