"""Microsoft.Network resource provider of the embedded emulator.

Other providers use only this contract: ``find_nic``, ``attach_nic`` and ``detach_nic``.
"""

from pytest_azurestack.emulator.providers.network.nics import NicUse, attach_nic, detach_nic, find_nic

__all__ = ["NicUse", "attach_nic", "detach_nic", "find_nic"]
