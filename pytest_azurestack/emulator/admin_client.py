"""A typed client for the emulator's admin API (``/_emulator/...``) over HTTPS.

For tests that run in another process than the emulator (an xdist worker, a subprocess): they
cannot reach ``server.emulator`` in memory, so they steer it over loopback HTTPS instead::

    admin = EmulatorAdmin(info.arm_endpoint, info.ca_bundle)
    rule = admin.add_fault(kind="status", status=503, provider="Microsoft.Compute", action="deallocate")
    ...
    admin.clear_faults()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from pytest_azurestack.emulator.admin import PREFIX

TIMEOUT = 30.0


class EmulatorAdminError(RuntimeError):
    """The admin API refused a request (``status`` and its one-line ``message``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"emulator admin API answered {status}: {message}")
        self.status = status
        self.message = message


class EmulatorAdmin:
    """``base_url``: the emulator's ARM endpoint (``https://127.0.0.1:PORT``); ``ca_bundle``: its CA."""

    def __init__(self, base_url: str, ca_bundle: str | Path, timeout: float = TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False  # a proxy or REQUESTS_CA_BUNDLE must not replace loopback + our CA
        self._session.verify = str(ca_bundle)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> EmulatorAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self._session.request(
            method, f"{self.base_url}{PREFIX}{path}", json=body, timeout=self.timeout
        )
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:200] or response.reason
            raise EmulatorAdminError(response.status_code, str(message))
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # --- the emulator ----------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """Endpoint, build, location, subscription, profiles and providers served."""
        return dict(self._call("GET", "/info"))

    def reset_state(self) -> None:
        """Delete every resource and forget every operation."""
        self._call("DELETE", "/state")

    def state(self) -> list[dict[str, Any]]:
        """Every stored resource."""
        return list(self._call("GET", "/state")["value"])

    def settings(self) -> dict[str, Any]:
        """subscription_state, images (the marketplace) and realistic (timing); quotas: ``quotas()``."""
        return dict(self._call("GET", "/settings"))

    def update_settings(self, **settings: Any) -> dict[str, Any]:
        """Change any of ``subscription_state`` (``Disabled`` makes ARM refuse writes), ``images``
        (a list of image dicts; None: the default marketplace), ``realistic`` (bool)."""
        return dict(self._call("PUT", "/settings", settings))

    # --- faults ------------------------------------------------------------------------------------
    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (keys of ``FaultRule``: kind, status, lro_status, delay, method, provider,
        resource_type, action, name, times, retry_after, code, message); returns it with its ``id``.
        A malformed rule or one no route could serve raises ``EmulatorAdminError`` (400)."""
        return dict(self._call("POST", "/faults", rule))

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/faults")["value"])

    def remove_fault(self, rule_id: int) -> None:
        self._call("DELETE", f"/faults/{int(rule_id)}")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # --- long-running operations -------------------------------------------------------------------
    def set_transition(
        self, key: str, polls: int | None = None, seconds: float | None = None, manual: bool = False
    ) -> dict[str, Any]:
        """How long operations stay InProgress for ``key`` (``*``, a kind like ``delete``, a type like
        ``Microsoft.Compute/disks`` or ``type:kind``); returns every transition now set."""
        value: dict[str, Any] = {"manual": manual}
        if polls is not None:
            value["polls"] = polls
        if seconds is not None:
            value["seconds"] = seconds
        return dict(self._call("PUT", "/transitions", {key: value}))

    def clear_transition(self, key: str) -> dict[str, Any]:
        """Remove the transition of ``key`` (``*`` goes back to one poll)."""
        return dict(self._call("PUT", "/transitions", {key: None}))

    def transitions(self) -> dict[str, Any]:
        return dict(self._call("GET", "/transitions"))

    def operations(self) -> list[dict[str, Any]]:
        """Every operation: id, resourceId, kind, status, polls, transition."""
        return list(self._call("GET", "/operations")["value"])

    def finish_operation(
        self, op_id: str, status: str | None = None, error: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """End one operation now (Succeeded unless ``status`` says Failed/Canceled)."""
        body: dict[str, Any] = {}
        if status is not None:
            body["status"] = status
        if error is not None:
            body["error"] = error
        return dict(self._call("POST", f"/operations/{op_id}/finish", body)["value"][0])

    def finish_all(self, status: str | None = None) -> list[dict[str, Any]]:
        """End every running operation now."""
        body = {"status": status} if status is not None else {}
        return list(self._call("POST", "/operations/all/finish", body)["value"])

    # --- request log -------------------------------------------------------------------------------
    def requests(self) -> list[dict[str, Any]]:
        """The last ARM requests: method, path, apiVersion, status, code, requestId."""
        return list(self._call("GET", "/requests")["value"])

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    # --- settings ----------------------------------------------------------------------------------
    def quotas(self) -> dict[str, int]:
        """Every compute quota limit, by usage name (cores, virtualMachines, standardDSv2Family...)."""
        return dict(self._call("GET", "/quotas"))

    def set_quotas(self, **limits: int | None) -> dict[str, int]:
        """Set compute quota limits (None restores a default); returns every limit now in force."""
        return dict(self._call("PUT", "/quotas", limits))

    def set_realistic(self, realistic: bool) -> dict[str, Any]:
        """Real-looking Retry-After and operation durations on (True) or the fast default (False)."""
        return dict(self._call("PUT", "/settings", {"realistic": realistic}))
