"""Conformance results, the end-of-run matrix and the JSON report."""
