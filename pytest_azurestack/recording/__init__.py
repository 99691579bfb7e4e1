"""Recording and playback of ARM traffic with vcrpy.

``config`` builds the ``vcr.VCR`` from ``Settings``; ``sanitize`` scrubs on record; ``matchers``
match requests and explain a miss; ``replay`` is playback's one object (the transport hands it
every request), finding each interaction through ``playback``'s per-cassette index and keeping the
``wire`` changes the ``gate`` judges; ``adapter`` is the only module that touches vcrpy's or
azure-core's private API; ``persister`` holds writes until a test passed and records provenance;
``names`` makes stable names and recorded variables; ``scan`` finds secrets; ``plugin`` holds the
fixtures and hooks.
"""

from .names import RecordedVariables, StableNames
from .sanitize import FAKE_ARM_HOST, RUN_ID_PLACEHOLDER, ZERO_GUID, RunValues, Scrubber

__all__ = [
    "FAKE_ARM_HOST",
    "RUN_ID_PLACEHOLDER",
    "ZERO_GUID",
    "RecordedVariables",
    "RunValues",
    "Scrubber",
    "StableNames",
]
