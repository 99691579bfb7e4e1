"""The standalone ``azurestack-emulator`` as a user runs it: env file, an unmodified-style client, SIGTERM."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Written the way Microsoft's Azure Stack Python instructions are: only the exported variables,
# metadata discovery, ClientSecretCredential and profile-bound clients.
CLIENT = textwrap.dedent(
    """
    import os, requests
    from azure.identity import ClientSecretCredential
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.storage import StorageManagementClient
    from azure.profiles import KnownProfiles

    arm = os.environ["ARM_ENDPOINT"]
    meta = requests.get(f"{arm}/metadata/endpoints?api-version=2015-01-01").json()
    login, audience = meta["authentication"]["loginEndpoint"], meta["authentication"]["audiences"][0]
    credential = ClientSecretCredential(
        tenant_id=os.environ["AZURE_TENANT_ID"], client_id=os.environ["AZURE_CLIENT_ID"],
        client_secret=os.environ["AZURE_CLIENT_SECRET"], authority=login, disable_instance_discovery=True)
    scope = "openid profile offline_access " + audience + "/.default"
    sub, location = os.environ["AZURE_SUBSCRIPTION_ID"], os.environ["AZURE_RESOURCE_LOCATION"]
    profile = KnownProfiles.v2020_09_01_hybrid
    kw = dict(base_url=arm, profile=profile, credential_scopes=[scope])
    resources = ResourceManagementClient(credential, sub, **kw)
    storage = StorageManagementClient(credential, sub, **kw)
    resources.resource_groups.create_or_update("azure-sample-group", {"location": location})
    account = storage.storage_accounts.begin_create(
        "azure-sample-group", "samplestorage01",
        {"sku": {"name": "standard_lrs"}, "kind": "storage", "location": location}).result()
    print("blob", account.primary_endpoints.blob)
    resources.resource_groups.begin_delete("azure-sample-group").result()
    print("All example operations completed successfully!")
    """
)


def test_standalone_emulator_serves_a_sample_style_client_and_stops_on_sigterm(
    tmp_path: Path, launch_emulator: Callable[..., Any]
) -> None:
    emulator = launch_emulator(
        tmp_path / "emulator.env",
        "--lro-polls",
        "0",
        "--providers",
        "resources,storage",
        "--work-dir",
        str(tmp_path / "work"),
    )
    try:
        exported = emulator.exports()
        assert set(exported) == {
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_SUBSCRIPTION_ID",
            "ARM_ENDPOINT",
            "AZURE_RESOURCE_LOCATION",
            "REQUESTS_CA_BUNDLE",
            "SSL_CERT_FILE",
        }
        assert exported["ARM_ENDPOINT"].startswith("https://127.0.0.1:")
        assert oct(emulator.env_file.stat().st_mode & 0o777) == "0o600"
        client_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **exported}
        client = subprocess.run(
            [sys.executable, "-c", CLIENT], env=client_env, capture_output=True, text=True, timeout=120
        )
        assert client.returncode == 0, client.stderr[-3000:]
        assert "blob https://samplestorage01.blob.local.azurestack.external/" in client.stdout
        assert client.stdout.strip().endswith("All example operations completed successfully!")
    finally:
        status = emulator.stop()
    assert status == 0, emulator.log.read_text()
    assert f"export ARM_ENDPOINT={exported['ARM_ENDPOINT']}" in emulator.log.read_text()


def test_cli_refuses_a_non_loopback_host(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest_azurestack.emulator.cli", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "azurestack-emulator: emulator host '0.0.0.0' is not loopback; use 127.0.0.1, localhost or ::1"
    ]
