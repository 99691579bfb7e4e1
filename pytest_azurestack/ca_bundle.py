"""The CA bundle a user hands the plugin: checked once, up front, so a bad one is one line.

An ASDK exports its root CA as a DER ``.cer`` file by default; handed to requests as is, it fails
every call with an SSL error that blames the stamp. Checked here: readable, PEM, at least one
certificate that parses.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

PEM_MARKER = b"-----BEGIN CERTIFICATE-----"
OPTION = "--azurestack-ca-bundle"


def problem(path: Path) -> str | None:
    """What is wrong with the bundle at ``path`` (one line naming the fix), or None when it is usable."""
    if not path.is_file():
        return f"{OPTION}: {path} is not a file; give the path of the stamp's root CA certificate in PEM form"
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{OPTION}: {path} cannot be read ({exc.strerror or exc}); check its permissions"
    if PEM_MARKER not in data:
        return (
            f"{OPTION}: {path} is not a PEM certificate bundle (no '-----BEGIN CERTIFICATE-----' line); "
            f"a DER .cer export converts with: openssl x509 -inform der -in {path.name} -out {path.stem}.pem"
        )
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        return f"{OPTION}: {path} holds no certificate that parses ({exc}); export the stamp's root CA again"
    if not certificates:
        return f"{OPTION}: {path} holds no certificate; export the stamp's root CA again"
    return None
