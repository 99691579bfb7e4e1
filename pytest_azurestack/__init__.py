"""pytest-azurestack: a pytest plugin and conformance suite for Azure Stack Hub virtual machines."""

__version__ = "0.1.0"
