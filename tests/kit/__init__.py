"""Test kit: archive factories, a loopback index server, isolation helpers."""
