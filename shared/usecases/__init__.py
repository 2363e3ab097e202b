"""Use cases: one function per thing a user or a workflow does, joining the domain to the repositories.

Handlers call exactly one use case; use cases hold no HTTP or template code.
"""
