"""Routers, one per area. Route functions parse, call one use case, and render or redirect."""
