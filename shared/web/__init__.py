"""The web layer shared by the school/provider and support functions: rendering, sessions, CSRF, auth."""
