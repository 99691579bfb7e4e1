"""Helpers shared by the plugin's test modules (the emulator's tests have their own helpers.py).

Imported as ``plugin_helpers``: pytest puts this directory on ``sys.path`` (rootdir conftest, no
packages), and ``helpers`` is already the emulator tests' module of that name.
"""

from __future__ import annotations

import json
from typing import Any

import vcr
from vcr.cassette import Cassette
from vcr.request import Request

from pytest_azurestack.preflight.providers import NAMESPACES, SUITE_TYPES
from pytest_azurestack.profiles import HYBRID_PROFILES, supported_versions
from pytest_azurestack.recording.matchers import MATCH_ON, MATCHERS
from pytest_azurestack.recording.sanitize import Scrubber

# The report plugin alone (it pulls in the conformance plugin), independent of the core plugin.
REPORT_PLUGIN_ONLY = ("-p", "no:azurestack", "-p", "pytest_azurestack.report.plugin")
ISOLATED = (*REPORT_PLUGIN_ONLY, "-p", "no:cacheprovider")

ARM_BASE = "https://management.local.azurestack.external/subscriptions/0/resourceGroups/rg"


def vcr_request(method: str, url: str, body: object = None) -> Request:
    """A vcrpy request with a JSON body (none when ``body`` is None)."""
    data = json.dumps(body).encode() if body is not None else None
    return Request(method, url, data, {"Content-Type": "application/json"})


def arm_cassette(
    interactions: list[tuple[Request, str | bytes]], *, scrubber: Scrubber | None = None, **options: Any
) -> Cassette:
    """A cassette as the plugin builds it (ARM matchers, scrubbing filter), loaded with
    ``interactions`` (each request with its 200 response's body)."""
    recorder = vcr.VCR(match_on=MATCH_ON, before_record_request=scrubber.request if scrubber else None)
    for name, matcher in MATCHERS.items():
        recorder.register_matcher(name, matcher)
    config = recorder.get_merged_config()
    cassette = Cassette(
        "c.yaml",
        match_on=config["match_on"],
        before_record_request=config["before_record_request"],
        record_mode="none",
        **options,
    )
    for request, text in interactions:
        cassette.append(
            request, {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": text}}
        )
    cassette._loaded_count = len(cassette.data)  # as if read from its file (vcrpy 9 counts them)
    cassette.rewound = True
    return cassette


def provider_document(subscription_id: str, namespace: str) -> dict[str, Any] | None:
    """``GET /subscriptions/{id}/providers/{namespace}`` as a 2102 stamp answers it (the preflight
    reads it): registered, each suite resource type with every hybrid profile's versions."""
    canonical = next((n for n in NAMESPACES if n.lower() == namespace.lower()), None)
    if canonical is None:
        return None
    served = supported_versions(HYBRID_PROFILES)
    provider = canonical.lower()
    return {
        "id": f"/subscriptions/{subscription_id}/providers/{canonical}",
        "namespace": canonical,
        "registrationState": "Registered",
        "resourceTypes": [
            {
                "resourceType": resource_type,
                "locations": ["local"],
                "apiVersions": sorted(served.get((provider, resource_type.lower()), served[(provider, "")])),
            }
            for resource_type in SUITE_TYPES[provider]
        ],
    }
