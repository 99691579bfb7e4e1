"""Microsoft.Compute handlers: request -> state change (models.py) -> LRO response (shapes.py)."""

from __future__ import annotations

from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.lro import respond
from pytest_azurestack.emulator.arm.paging import paged
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.arm.validation import normalize_location
from pytest_azurestack.emulator.providers.compute import shapes, usages
from pytest_azurestack.emulator.providers.compute.images import ImageCatalog, ImageSpec
from pytest_azurestack.emulator.providers.compute.models import DISK_TYPE, VM_TYPE, Compute, image_id
from pytest_azurestack.emulator.providers.compute.sizes import AZURE_STACK_SIZES

# Compute's power actions send this beside the operation's own headers.
ASYNC_NOTIFICATION = {"Azure-AsyncNotification": "Enabled"}


def _compute(request: ArmRequest) -> Compute:
    return Compute(request.store, ImageCatalog.from_config(request.context.config), request.location)


def _vm_id(request: ArmRequest) -> str:
    return Compute.vm_id(request.subscription_id, request.param("resource_group"), request.param("name"))


def _disk_id(request: ArmRequest) -> str:
    return Compute.disk_id(request.subscription_id, request.param("resource_group"), request.param("name"))


def _expand_instance_view(request: ArmRequest) -> bool:
    expand = (request.query_param("$expand") or "").strip()
    if expand and expand.lower() != "instanceview":
        # The hybrid compute versions expand nothing else (userData came with 2021-03-01).
        raise ArmError(
            400,
            "InvalidParameter",
            f"The value '{expand}' of parameter '$expand' is not allowed; use 'instanceView'.",
            target="$expand",
        )
    return bool(expand)


# --- virtual machines ------------------------------------------------------------------------------
def put_vm(request: ArmRequest, patch: bool = False) -> ArmResponse:
    compute = _compute(request)
    if not patch and not request.store.exists(_vm_id(request)):
        usages.check_room(request, request.json())  # a new VM needs room in the compute quota
    change = compute.put_vm(
        request.subscription_id,
        request.param("resource_group"),
        request.param("name"),
        request.json(),
        request.api_version,
        patch=patch,
    )
    body = shapes.vm(change.resource, request.api_version, compute.store)
    # A create answers 201; an update (attach, detach, tag) 200 with the VM in Updating.
    return respond(request, change, body)


def patch_vm(request: ArmRequest) -> ArmResponse:
    return put_vm(request, patch=True)


def get_vm(request: ArmRequest) -> ArmResponse:
    compute = _compute(request)
    resource = compute.get(_vm_id(request), VM_TYPE)
    return ArmResponse(
        200, shapes.vm(resource, request.api_version, compute.store, _expand_instance_view(request))
    )


def vm_instance_view(request: ArmRequest) -> ArmResponse:
    resource = _compute(request).get(_vm_id(request), VM_TYPE)
    return ArmResponse(200, shapes.vm_instance_view(resource, request.api_version))


def list_vms(request: ArmRequest) -> ArmResponse:
    compute = _compute(request)
    found = compute.list_of(request.subscription_id, VM_TYPE, request.resource_group)
    expand = _expand_instance_view(request) or (request.query_param("statusOnly") or "").lower() == "true"
    items = [shapes.vm(v, request.api_version, compute.store, expand) for v in found]
    return ArmResponse(200, paged(request, items))


def delete_vm(request: ArmRequest) -> ArmResponse:
    return respond(request, _compute(request).delete_vm(_vm_id(request)))


def _power(action: str) -> Any:
    def handler(request: ArmRequest) -> ArmResponse:
        if action == "powerOff":
            skip = (request.query_param("skipShutdown") or "false").lower()
            if skip not in ("true", "false"):
                raise ArmError(
                    400,
                    "InvalidParameter",
                    f"skipShutdown must be true or false, not '{skip}'.",
                    target="skipShutdown",
                )
        change = _compute(request).power(_vm_id(request), action)
        return respond(request, change, headers=ASYNC_NOTIFICATION)

    handler.__name__ = f"vm_{action}"
    return handler


start_vm = _power("start")
power_off_vm = _power("powerOff")
restart_vm = _power("restart")
deallocate_vm = _power("deallocate")


def vm_available_sizes(request: ArmRequest) -> ArmResponse:
    _compute(request).get(_vm_id(request), VM_TYPE)
    return ArmResponse(200, {"value": [s.body() for s in AZURE_STACK_SIZES]})


# --- managed disks ---------------------------------------------------------------------------------
def put_disk(request: ArmRequest, patch: bool = False) -> ArmResponse:
    compute = _compute(request)
    change = compute.put_disk(
        request.subscription_id,
        request.param("resource_group"),
        request.param("name"),
        request.json(),
        patch=patch,
    )
    body = shapes.disk(change.resource, request.api_version, compute.store)
    # Disk writes answer 202 (the spec allows only 200/202 here) with the body and are polled.
    return respond(request, change, body, reply="accepted")


def patch_disk(request: ArmRequest) -> ArmResponse:
    return put_disk(request, patch=True)


def get_disk(request: ArmRequest) -> ArmResponse:
    compute = _compute(request)
    resource = compute.get(_disk_id(request), DISK_TYPE)
    return ArmResponse(200, shapes.disk(resource, request.api_version, compute.store))


def list_disks(request: ArmRequest) -> ArmResponse:
    compute = _compute(request)
    found = compute.list_of(request.subscription_id, DISK_TYPE, request.resource_group)
    return ArmResponse(
        200, paged(request, [shapes.disk(d, request.api_version, compute.store) for d in found])
    )


def delete_disk(request: ArmRequest) -> ArmResponse:
    return respond(request, _compute(request).delete_disk(_disk_id(request)))


# --- image catalog and sizes -----------------------------------------------------------------------
def _check_location(request: ArmRequest) -> str:
    """The ``{location}`` of a catalog URL (not a body): a region the stamp lacks is a 404 here."""
    location = request.param("location")
    if normalize_location(location) != normalize_location(request.location):
        raise ArmError(
            404,
            "LocationNotAvailableForResourceType",
            f"The location '{location}' is not served by this Azure Stack stamp; use '{request.location}'.",
        )
    return request.location


def _image_path(request: ArmRequest, *parts: str) -> str:
    base = (
        f"/Subscriptions/{request.subscription_id}/Providers/Microsoft.Compute/Locations/{request.location}"
    )
    labels = ("Publishers", "ArtifactTypes/VMImage/Offers", "Skus", "Versions")
    return base + "".join(f"/{label}/{part}" for label, part in zip(labels, parts, strict=False))


def _not_found() -> ArmError:
    return ArmError(404, "NotFound", "Artifact: VMImage was not found.")


def _catalog(request: ArmRequest) -> ImageCatalog:
    _check_location(request)
    return ImageCatalog.from_config(request.context.config)


def _entry(request: ArmRequest, name: str, *parts: str) -> dict[str, str]:
    return {"location": request.location, "name": name, "id": _image_path(request, *parts, name)}


def list_publishers(request: ArmRequest) -> ArmResponse:
    names = _catalog(request).publishers()
    return ArmResponse(200, [_entry(request, n) for n in names])


def list_offers(request: ArmRequest) -> ArmResponse:
    publisher = request.param("publisher")
    names = _catalog(request).offers(publisher)
    if not names:
        raise _not_found()
    return ArmResponse(200, [_entry(request, n, publisher) for n in names])


def list_skus(request: ArmRequest) -> ArmResponse:
    publisher, offer = request.param("publisher"), request.param("offer")
    names = _catalog(request).skus(publisher, offer)
    if not names:
        raise _not_found()
    return ArmResponse(200, [_entry(request, n, publisher, offer) for n in names])


def list_versions(request: ArmRequest) -> ArmResponse:
    publisher, offer, sku = request.param("publisher"), request.param("offer"), request.param("skus")
    images = _catalog(request).versions(publisher, offer, sku)
    if not images:
        raise _not_found()
    if (request.query_param("$orderby") or "").lower().endswith("desc"):
        images = images[::-1]
    top = request.query_param("$top")
    if top is not None:
        if not top.isdigit():
            raise ArmError(400, "InvalidParameter", f"$top must be a number, not '{top}'.", target="$top")
        images = images[: int(top)]
    return ArmResponse(200, [_entry(request, i.version, publisher, offer, sku) for i in images])


def get_image_version(request: ArmRequest) -> ArmResponse:
    publisher, offer, sku = request.param("publisher"), request.param("offer"), request.param("skus")
    image = _catalog(request).resolve(publisher, offer, sku, request.param("version"))
    if image is None:
        raise _not_found()
    return ArmResponse(200, image_body(request, image))


def image_body(request: ArmRequest, image: ImageSpec) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if request.api_version >= "2019-03-01":
        props["hyperVGeneration"] = "V1"
    props["osDiskImage"] = {"operatingSystem": image.os_type, "sizeInGb": image.size_gb}
    props["dataDiskImages"] = []
    if request.api_version >= "2019-03-01":
        props["automaticOSUpgradeProperties"] = {"automaticOSUpgradeSupported": False}
    return {
        "properties": props,
        "location": request.location,
        "name": image.version,
        "id": image_id(request.subscription_id, request.location, image),
    }


def list_location_sizes(request: ArmRequest) -> ArmResponse:
    _check_location(request)
    return ArmResponse(200, {"value": [s.body() for s in AZURE_STACK_SIZES]})
