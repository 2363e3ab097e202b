"""Journeys as data: ordered steps drive routing, back links and check-your-answers Change links."""
