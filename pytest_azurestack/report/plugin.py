"""Report plugin (stub; filled in by the conformance/report work)."""
