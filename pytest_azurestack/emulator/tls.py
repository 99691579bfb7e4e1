"""The emulator's own certificate authority and a leaf for 127.0.0.1, localhost and ::1."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

CA_FILE = "emulator-ca.pem"
CERT_FILE = "emulator-cert.pem"


@dataclass(frozen=True)
class TlsFiles:
    ca_bundle: Path  # give this to clients: REQUESTS_CA_BUNDLE / SSL_CERT_FILE
    cert_chain: Path  # leaf key + certificate chain, for the server


def make_certificates(work_dir: Path) -> TlsFiles:
    """Write a fresh CA and a server certificate under ``work_dir`` (created if needed)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="pytest-azurestack emulator")
    leaf = ca.issue_cert("127.0.0.1", "localhost", "::1")
    ca_path = work_dir / CA_FILE
    chain_path = work_dir / CERT_FILE
    ca.cert_pem.write_to_path(str(ca_path))
    leaf.private_key_and_cert_chain_pem.write_to_path(str(chain_path))
    chain_path.chmod(0o600)
    return TlsFiles(ca_path, chain_path)
