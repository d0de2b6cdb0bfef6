"""Regression tests for the security review (issue 7)."""
