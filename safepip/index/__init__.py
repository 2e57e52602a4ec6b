"""Index access: one HTTP session, PEP 691/503 project pages, find-links."""
