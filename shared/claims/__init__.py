"""The claims domain: pure rules with no AWS, HTTP or template code (enforced by ruff's banned-api)."""
