"""The marketplace image catalog a stamp offers (publishers -> offers -> skus -> versions).

An Azure Stack marketplace holds only what the operator downloaded; by default the two images
Microsoft's VM sample uses. ``EmulatorConfig.images`` (a list of dicts with the ``ImageSpec``
field names) replaces the default set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ImageSpec:
    publisher: str
    offer: str
    sku: str
    version: str
    os_type: str  # "Linux" or "Windows"
    size_gb: int  # osDiskImage.sizeInGb: the implicit OS disk gets this size
    os_name: str = ""  # what the guest agent reports in instanceView.osName
    os_version: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImageSpec:
        missing = [k for k in ("publisher", "offer", "sku", "version", "os_type", "size_gb") if k not in data]
        if missing:
            raise ValueError(f"image {dict(data)!r} lacks {', '.join(missing)}; give every ImageSpec field")
        if str(data["os_type"]) not in ("Linux", "Windows"):
            raise ValueError(f"image os_type {data['os_type']!r} must be Linux or Windows")
        return cls(
            publisher=str(data["publisher"]),
            offer=str(data["offer"]),
            sku=str(data["sku"]),
            version=str(data["version"]),
            os_type=str(data["os_type"]),
            size_gb=int(data["size_gb"]),
            os_name=str(data.get("os_name", "")),
            os_version=str(data.get("os_version", "")),
        )


DEFAULT_IMAGES: tuple[ImageSpec, ...] = (
    ImageSpec("Canonical", "UbuntuServer", "16.04-LTS", "16.04.202109280", "Linux", 30, "ubuntu", "16.04"),
    ImageSpec(
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2012-R2-Datacenter",
        "9600.20144.2109061",
        "Windows",
        127,
        "Windows Server 2012 R2 Datacenter",
        "6.3.9600.0",
    ),
)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return list(seen.values())


class ImageCatalog:
    """Case-insensitive lookups, the way the marketplace answers them."""

    def __init__(self, images: Iterable[ImageSpec] = DEFAULT_IMAGES) -> None:
        self.images = tuple(images)

    @classmethod
    def from_config(cls, config: object) -> ImageCatalog:
        configured = getattr(config, "images", None)
        if not configured:
            return cls()
        return cls(i if isinstance(i, ImageSpec) else ImageSpec.from_dict(i) for i in configured)

    def _select(self, publisher: str = "", offer: str = "", sku: str = "") -> list[ImageSpec]:
        return [
            i
            for i in self.images
            if (not publisher or i.publisher.lower() == publisher.lower())
            and (not offer or i.offer.lower() == offer.lower())
            and (not sku or i.sku.lower() == sku.lower())
        ]

    def publishers(self) -> list[str]:
        return _unique(i.publisher for i in self.images)

    def offers(self, publisher: str) -> list[str]:
        return _unique(i.offer for i in self._select(publisher))

    def skus(self, publisher: str, offer: str) -> list[str]:
        return _unique(i.sku for i in self._select(publisher, offer))

    def versions(self, publisher: str, offer: str, sku: str) -> list[ImageSpec]:
        return sorted(self._select(publisher, offer, sku), key=lambda i: _version_key(i.version))

    def resolve(self, publisher: str, offer: str, sku: str, version: str) -> ImageSpec | None:
        """The image for a reference; ``latest`` is the highest version."""
        candidates = self.versions(publisher, offer, sku)
        if not candidates:
            return None
        if version.lower() == "latest":
            return candidates[-1]
        return next((i for i in candidates if i.version.lower() == version.lower()), None)
