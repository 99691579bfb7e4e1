"""The stamp in a box: a loopback HTTPS server that behaves like Azure Stack Hub Resource Manager.

``EmulatorServer(EmulatorConfig(...)).start()`` -> ``EmulatorInfo`` (``.env()``, ``.export_lines()``);
``server.emulator`` is the live ``Emulator`` (store, lro, faults, identity) for steering from Python.
"""

from pytest_azurestack.emulator.app import build_app
from pytest_azurestack.emulator.config import EmulatorConfig
from pytest_azurestack.emulator.server import EmulatorInfo, EmulatorServer
from pytest_azurestack.emulator.stamp import Emulator

__all__ = ["Emulator", "EmulatorConfig", "EmulatorInfo", "EmulatorServer", "build_app"]
