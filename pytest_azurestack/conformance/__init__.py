"""Conformance tests: stable ids, prerequisites, "not supported by this cloud", the manifest.

The marker API lives in ``marks``; the hooks in ``plugin`` (loaded with the report plugin).
"""

from __future__ import annotations

from .marks import CAPABILITIES, ConformanceError, ConformanceSpec, spec_of
from .support import unsupported_reason

__all__ = ["CAPABILITIES", "ConformanceError", "ConformanceSpec", "spec_of", "unsupported_reason"]
