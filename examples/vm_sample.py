"""A plain script in the manner of Microsoft's Azure Stack Python VM sample, using only the
standard environment variables: metadata discovery, ClientSecretCredential and profile-bound
clients, then every VM operation of the sample in its order (2017-03-09-profile: unmanaged VHDs).

Usage: python examples/vm_sample.py [PROFILE]   (default v2020_09_01_hybrid), with a real stamp's
variables or after `. azurestack.env` from `azurestack-emulator --env-file azurestack.env`.
The end-to-end test and the emulator benchmark run it; nothing here knows about pytest.
"""

import os
import sys
import uuid

import requests
from azure.identity import ClientSecretCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.profiles import KnownProfiles

LOCATION = os.environ["AZURE_RESOURCE_LOCATION"]
SUFFIX = uuid.uuid4().hex[:6]
GROUP = f"sample-vm-group-{SUFFIX}"
STORAGE = f"samplestor{SUFFIX}"
VNET, SUBNET, NIC, VM = f"vnet{SUFFIX}", f"subnet{SUFFIX}", f"nic{SUFFIX}", f"vm{SUFFIX}"
DATA_DISK = "sampledatadisk1"
PASSWORD = "Pw1!" + uuid.uuid4().hex
IMAGES = {
    "linux": {"publisher": "Canonical", "offer": "UbuntuServer", "sku": "16.04-LTS", "version": "latest"},
    "windows": {
        "publisher": "MicrosoftWindowsServer",
        "offer": "WindowsServer",
        "sku": "2012-R2-Datacenter",
        "version": "latest",
    },
}


def discover(arm_endpoint):
    """The stamp's login endpoint and token audience, from its metadata endpoint."""
    url = arm_endpoint.rstrip("/") + "/metadata/endpoints?api-version=2015-01-01"
    metadata = requests.get(url, timeout=30).json()
    return metadata["authentication"]["loginEndpoint"], metadata["authentication"]["audiences"][0]


def main(profile_name):
    profile = getattr(KnownProfiles, profile_name)
    arm_endpoint = os.environ["ARM_ENDPOINT"]
    login_endpoint, audience = discover(arm_endpoint)
    tenant = os.environ["AZURE_TENANT_ID"]
    credential = ClientSecretCredential(
        tenant_id=tenant,
        client_id=os.environ["AZURE_CLIENT_ID"],
        client_secret=os.environ["AZURE_CLIENT_SECRET"],
        authority=login_endpoint.rstrip("/").removesuffix("/adfs") if tenant == "adfs" else login_endpoint,
        disable_instance_discovery=True,
    )
    scopes = [audience.rstrip("/") + "/.default"]
    subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
    common = {"base_url": arm_endpoint, "credential_scopes": scopes, "profile": profile}
    resources = ResourceManagementClient(credential, subscription, **common)
    storage = StorageManagementClient(credential, subscription, **common)
    network = NetworkManagementClient(credential, subscription, **common)
    compute = ComputeManagementClient(credential, subscription, **common)
    managed = profile is not KnownProfiles.v2017_03_09_profile

    print("\nCreate Resource Group")
    resources.resource_groups.create_or_update(GROUP, {"location": LOCATION})
    try:
        print("\nCreate a storage account")
        account = storage.storage_accounts.begin_create(
            GROUP, STORAGE, {"sku": {"name": "standard_lrs"}, "kind": "storage", "location": LOCATION}
        ).result()
        blob = account.primary_endpoints.blob.rstrip("/")

        print("\nCreate Vnet, Subnet, NIC")
        network.virtual_networks.begin_create_or_update(
            GROUP, VNET, {"location": LOCATION, "address_space": {"address_prefixes": ["10.0.0.0/16"]}}
        ).wait()
        subnet = network.subnets.begin_create_or_update(
            GROUP, VNET, SUBNET, {"address_prefix": "10.0.0.0/24"}
        ).result()
        nic = network.network_interfaces.begin_create_or_update(
            GROUP,
            NIC,
            {"location": LOCATION, "ip_configurations": [{"name": "ipconfig", "subnet": {"id": subnet.id}}]},
        ).result()

        def vm_parameters(image, os_disk):
            storage_profile = {"image_reference": IMAGES[image]}
            if not managed:
                storage_profile["os_disk"] = {
                    "name": os_disk,
                    "caching": "None",
                    "create_option": "fromImage",
                    "vhd": {"uri": f"{blob}/vhds/{os_disk}.vhd"},
                }
            return {
                "location": LOCATION,
                "os_profile": {
                    "computer_name": VM,
                    "admin_username": "userlogin",
                    "admin_password": PASSWORD,
                },
                "hardware_profile": {"vm_size": "Standard_DS1_v2" if managed else "Standard_A1"},
                "storage_profile": storage_profile,
                "network_profile": {"network_interfaces": [{"id": nic.id}]},
            }

        print("\nCreating Linux Virtual Machine")
        compute.virtual_machines.begin_create_or_update(GROUP, VM, vm_parameters("linux", "linuxos")).wait()

        print("\nTag Virtual Machine")
        compute.virtual_machines.begin_create_or_update(
            GROUP, VM, {"location": LOCATION, "tags": {"who-rocks": "python", "where": "on azure stack"}}
        ).wait()

        if managed:
            print("\nCreate (empty) managed Data Disk")
            data_disk = compute.disks.begin_create_or_update(
                GROUP,
                DATA_DISK,
                {"location": LOCATION, "disk_size_gb": 1, "creation_data": {"create_option": "Empty"}},
            ).result()
            attach = {
                "lun": 12,
                "name": DATA_DISK,
                "create_option": "Attach",
                "managed_disk": {"id": data_disk.id},
            }
        else:
            attach = {
                "lun": 12,
                "name": DATA_DISK,
                "create_option": "Empty",
                "disk_size_gb": 1,
                "vhd": {"uri": f"{blob}/vhds/{DATA_DISK}.vhd"},
            }

        print("\nGet Virtual Machine by Name")
        virtual_machine = compute.virtual_machines.get(GROUP, VM, expand="instanceView")

        print("\nAttach Data Disk")
        virtual_machine.storage_profile.data_disks.append(attach)
        compute.virtual_machines.begin_create_or_update(GROUP, VM, virtual_machine).wait()

        print("\nDetach Data Disk")
        virtual_machine = compute.virtual_machines.get(GROUP, VM)
        virtual_machine.storage_profile.data_disks[:] = [
            d for d in virtual_machine.storage_profile.data_disks if d.name != DATA_DISK
        ]
        virtual_machine = compute.virtual_machines.begin_create_or_update(GROUP, VM, virtual_machine).result()

        print("\nDeallocating the VM (to prepare for a disk resize)")
        compute.virtual_machines.begin_deallocate(GROUP, VM).wait()

        print("\nUpdate OS disk size")
        if managed:
            os_disk = compute.disks.get(GROUP, virtual_machine.storage_profile.os_disk.name)
            os_disk.disk_size_gb += 10
            compute.disks.begin_create_or_update(GROUP, os_disk.name, os_disk).wait()
        else:
            virtual_machine.storage_profile.os_disk.disk_size_gb += 10
            compute.virtual_machines.begin_create_or_update(GROUP, VM, virtual_machine).wait()

        print("\nStart VM")
        compute.virtual_machines.begin_start(GROUP, VM).wait()
        print("\nRestart VM")
        compute.virtual_machines.begin_restart(GROUP, VM).wait()
        print("\nStop VM")
        compute.virtual_machines.begin_power_off(GROUP, VM).wait()

        print("\nList VMs in subscription")
        for vm in compute.virtual_machines.list_all():
            print(f"\tVM: {vm.name}")
        print("\nList VMs in resource group")
        for vm in compute.virtual_machines.list(GROUP):
            print(f"\tVM: {vm.name}")

        print("\nDelete VM")
        compute.virtual_machines.begin_delete(GROUP, VM).wait()

        print("\nCreating Windows Virtual Machine")
        compute.virtual_machines.begin_create_or_update(
            GROUP, VM, vm_parameters("windows", "windowsos")
        ).wait()
    except Exception as exc:  # the sample reports any failed operation, then still cleans up
        print("A VM operation failed:", exc, sep="\n")
        return 1
    else:
        print("All example operations completed successfully!")
        return 0
    finally:
        print("\nDelete Resource Group")
        resources.resource_groups.begin_delete(GROUP).wait()
        print(f"\nDeleted: {GROUP}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "v2020_09_01_hybrid"))
