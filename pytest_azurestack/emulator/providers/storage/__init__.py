"""Microsoft.Storage resource provider of the embedded emulator.

Other providers use only this contract: the VHD blobs of ``blobs.py``.
"""

from pytest_azurestack.emulator.providers.storage.blobs import (
    check_vhd_uri,
    claim_blob,
    find_blob,
    hold_blob,
    release_blob,
)

__all__ = ["check_vhd_uri", "claim_blob", "find_blob", "hold_blob", "release_blob"]
