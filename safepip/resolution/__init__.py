"""Dependency resolution without executing package code."""
