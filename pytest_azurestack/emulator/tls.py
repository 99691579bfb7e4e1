"""The emulator's own certificate authority and a leaf for 127.0.0.1, localhost and ::1.

With a data directory the CA (certificate and key) is kept there and reused on the next start,
so clients that trusted it keep working across restarts; the leaf is issued fresh each time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import trustme

CA_FILE = "emulator-ca.pem"
CA_KEY_FILE = "emulator-ca-key.pem"
CERT_FILE = "emulator-cert.pem"


@dataclass(frozen=True)
class TlsFiles:
    ca_bundle: Path  # give this to clients: REQUESTS_CA_BUNDLE / SSL_CERT_FILE
    cert_chain: Path  # leaf key + certificate chain, for the server


def _write_private(path: Path, data: bytes) -> None:
    """Created 0600 from the start: the file holds a private key."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    path.chmod(0o600)


def load_or_create_ca(keep_dir: Path | None) -> trustme.CA:
    """The CA kept in ``keep_dir`` if both its files are there, else a new one (saved there)."""
    if keep_dir is None:
        return trustme.CA(organization_name="pytest-azurestack emulator")
    cert, key = keep_dir / CA_FILE, keep_dir / CA_KEY_FILE
    if cert.is_file() and key.is_file():
        try:
            return trustme.CA.from_pem(cert.read_bytes(), key.read_bytes())
        except ValueError as exc:
            raise ValueError(
                f"the emulator CA in {keep_dir} cannot be loaded ({exc}); delete {cert.name} and "
                f"{key.name} there to make a new one"
            ) from None
    keep_dir.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="pytest-azurestack emulator")
    _write_private(key, ca.private_key_pem.bytes())
    cert.write_bytes(ca.cert_pem.bytes())
    return ca


def make_certificates(work_dir: Path, keep_dir: Path | None = None) -> TlsFiles:
    """Write the CA bundle and a fresh server certificate under ``work_dir`` (created if needed).

    ``keep_dir`` (the data directory): reuse the CA kept there, or keep the new one there.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    ca = load_or_create_ca(keep_dir)
    leaf = ca.issue_cert("127.0.0.1", "localhost", "::1")
    ca_path = work_dir / CA_FILE
    chain_path = work_dir / CERT_FILE
    ca_pem = ca.cert_pem.bytes()
    if not (ca_path.is_file() and ca_path.read_bytes() == ca_pem):
        ca_path.write_bytes(ca_pem)
    _write_private(chain_path, leaf.private_key_and_cert_chain_pem.bytes())
    return TlsFiles(ca_path, chain_path)
