"""The VM sizes an Azure Stack Hub stamp offers (a subset of Azure's A, D, Dv2, DS, DSv2, F series).

Numbers are Azure's published ones for these sizes; ``premium`` marks the sizes that take
Premium_LRS disks (the "S" series), which is why ARM picks Premium_LRS for their implicit disks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OS_DISK_MB = 1047552


@dataclass(frozen=True)
class VmSize:
    name: str
    cores: int
    memory_mb: int
    resource_disk_mb: int
    max_data_disks: int
    premium: bool = False

    def body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "numberOfCores": self.cores,
            "osDiskSizeInMB": OS_DISK_MB,
            "resourceDiskSizeInMB": self.resource_disk_mb,
            "memoryInMB": self.memory_mb,
            "maxDataDiskCount": self.max_data_disks,
        }


def _s(name: str, cores: int, memory_mb: int, disk_mb: int, disks: int) -> VmSize:
    return VmSize(name, cores, memory_mb, disk_mb, disks, premium=_is_premium(name))


def _is_premium(name: str) -> bool:
    series = name.split("_", 1)[1] if "_" in name else name
    return series.startswith(("DS", "GS")) or series.split("_")[0].endswith("s")


AZURE_STACK_SIZES: tuple[VmSize, ...] = (
    _s("Basic_A0", 1, 768, 20480, 1),
    _s("Basic_A1", 1, 1792, 40960, 2),
    _s("Basic_A2", 2, 3584, 61440, 4),
    _s("Basic_A3", 4, 7168, 122880, 8),
    _s("Basic_A4", 8, 14336, 245760, 16),
    _s("Standard_A0", 1, 768, 20480, 1),
    _s("Standard_A1", 1, 1792, 71680, 2),
    _s("Standard_A2", 2, 3584, 138240, 4),
    _s("Standard_A3", 4, 7168, 291840, 8),
    _s("Standard_A4", 8, 14336, 619520, 16),
    _s("Standard_A5", 2, 14336, 138240, 4),
    _s("Standard_A6", 4, 28672, 291840, 8),
    _s("Standard_A7", 8, 57344, 619520, 16),
    _s("Standard_A1_v2", 1, 2048, 10240, 2),
    _s("Standard_A2_v2", 2, 4096, 20480, 4),
    _s("Standard_A4_v2", 4, 8192, 40960, 8),
    _s("Standard_A8_v2", 8, 16384, 81920, 16),
    _s("Standard_D1", 1, 3584, 51200, 4),
    _s("Standard_D2", 2, 7168, 102400, 8),
    _s("Standard_D3", 4, 14336, 204800, 16),
    _s("Standard_D4", 8, 28672, 409600, 32),
    _s("Standard_D1_v2", 1, 3584, 51200, 4),
    _s("Standard_D2_v2", 2, 7168, 102400, 8),
    _s("Standard_D3_v2", 4, 14336, 204800, 16),
    _s("Standard_D4_v2", 8, 28672, 409600, 32),
    _s("Standard_D5_v2", 16, 57344, 819200, 64),
    _s("Standard_D11_v2", 2, 14336, 102400, 8),
    _s("Standard_D12_v2", 4, 28672, 204800, 16),
    _s("Standard_DS1", 1, 3584, 7168, 4),
    _s("Standard_DS2", 2, 7168, 14336, 8),
    _s("Standard_DS3", 4, 14336, 28672, 16),
    _s("Standard_DS4", 8, 28672, 57344, 32),
    _s("Standard_DS1_v2", 1, 3584, 7168, 4),
    _s("Standard_DS2_v2", 2, 7168, 14336, 8),
    _s("Standard_DS3_v2", 4, 14336, 28672, 16),
    _s("Standard_DS4_v2", 8, 28672, 57344, 32),
    _s("Standard_DS5_v2", 16, 57344, 114688, 64),
    _s("Standard_DS11_v2", 2, 14336, 28672, 8),
    _s("Standard_DS12_v2", 4, 28672, 57344, 16),
    _s("Standard_F1", 1, 2048, 16384, 4),
    _s("Standard_F2", 2, 4096, 32768, 8),
    _s("Standard_F4", 4, 8192, 65536, 16),
    _s("Standard_F1s", 1, 2048, 4096, 4),
    _s("Standard_F2s", 2, 4096, 8192, 8),
    _s("Standard_F2s_v2", 2, 4096, 16384, 4),
    _s("Standard_F4s_v2", 4, 8192, 32768, 8),
)

_BY_NAME = {s.name.lower(): s for s in AZURE_STACK_SIZES}


def find_size(name: str) -> VmSize | None:
    return _BY_NAME.get(name.lower())
