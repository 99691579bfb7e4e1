"""Run the emulator with uvicorn over HTTPS on loopback: in a daemon thread or in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from pytest_azurestack.emulator.app import build_app
from pytest_azurestack.emulator.config import EmulatorConfig
from pytest_azurestack.emulator.stamp import Emulator
from pytest_azurestack.emulator.tls import make_certificates


@dataclass(frozen=True)
class EmulatorInfo:
    """How to reach a running emulator."""

    arm_endpoint: str
    login_endpoint: str
    audience: str
    tenant_id: str
    client_id: str
    client_secret: str
    subscription_id: str
    location: str
    ca_bundle: Path
    host: str
    port: int

    def env(self) -> dict[str, str]:
        """The six standard Azure Stack variables plus the CA bundle for requests and ssl."""
        return {
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": self.client_id,
            "AZURE_CLIENT_SECRET": self.client_secret,
            "AZURE_SUBSCRIPTION_ID": self.subscription_id,
            "ARM_ENDPOINT": self.arm_endpoint,
            "AZURE_RESOURCE_LOCATION": self.location,
            "REQUESTS_CA_BUNDLE": str(self.ca_bundle),
            "SSL_CERT_FILE": str(self.ca_bundle),
        }

    def export_lines(self) -> str:
        return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in self.env().items())


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn re-raises a captured SIGTERM after shutdown, which would kill the CLI with an
        # error status; serve_forever installs its own handlers instead.
        yield


class EmulatorServer:
    """``EmulatorServer(EmulatorConfig()).start()`` -> ``EmulatorInfo``; ``stop()`` when done.

    Also a context manager. ``emulator`` is the live ``Emulator`` (store, lro, faults, identity)
    for tests that steer it from Python.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.emulator = Emulator(config or EmulatorConfig())
        self.config = self.emulator.config
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        # With a data dir the CA is kept there and reused, so clients that trusted it keep working.
        work = self.config.work_dir or self.config.data_dir
        if work is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="azurestack-emulator-")
            work = Path(self._tmp.name)
        self.tls = make_certificates(Path(work), self.config.data_dir)
        self._sock: socket.socket | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.info: EmulatorInfo | None = None

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this: without it TLS records of one response meet the client's
        # delayed ACK and every request costs ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        host = "127.0.0.1" if self.config.host == "localhost" else self.config.host
        sock.bind((host, self.config.port))
        sock.listen(128)
        sock.set_inheritable(True)
        return sock

    def _prepare(self) -> EmulatorInfo:
        self._sock = self._bind()
        port = self._sock.getsockname()[1]
        host = "[::1]" if self.config.host == "::1" else self.config.host
        base = f"https://{host}:{port}"
        c = self.config
        self.info = EmulatorInfo(
            arm_endpoint=base,
            login_endpoint=self.emulator.login_endpoint(base),
            audience=c.audience,
            tenant_id=c.tenant_id or "adfs",
            client_id=c.client_id or "",
            client_secret=c.client_secret or "",
            subscription_id=c.subscription_id or "",
            location=c.location,
            ca_bundle=self.tls.ca_bundle,
            host=c.host,
            port=port,
        )
        uv_config = uvicorn.Config(
            build_app(self.emulator),
            ssl_certfile=str(self.tls.cert_chain),
            log_level=c.log_level,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(uv_config)
        return self.info

    def start(self, timeout: float = 15.0) -> EmulatorInfo:
        """Serve in a daemon thread; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("emulator already started")
        info = self._prepare()
        assert self._server is not None and self._sock is not None
        server, sock = self._server, self._sock
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), name="azurestack-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the emulator did not start on port {info.port} within {timeout:.0f}s; see its log"
                )
            time.sleep(0.01)
        return info

    def serve_forever(self, on_ready: Callable[[EmulatorInfo], None] | None = None) -> None:
        """Serve in the foreground until SIGINT or SIGTERM; ``on_ready(info)`` once accepting."""
        info = self._prepare()
        assert self._server is not None and self._sock is not None
        server, sock = self._server, self._sock

        def request_exit(signum: int, frame: object) -> None:
            server.should_exit = True
            # Same grace as stop(): idle keep-alive clients must not hold the exit.
            timer = threading.Timer(0.5, setattr, (server, "force_exit", True))
            timer.daemon = True
            timer.start()

        previous = {sig: signal.signal(sig, request_exit) for sig in (signal.SIGINT, signal.SIGTERM)}

        async def main() -> None:
            task = asyncio.create_task(server.serve(sockets=[sock]))
            while not server.started and not task.done():
                await asyncio.sleep(0.01)
            if on_ready is not None and server.started:
                on_ready(info)
            await task

        try:
            asyncio.run(main())
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._cleanup()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            # Idle keep-alive TLS connections of SDK clients would hold a graceful shutdown for its
            # whole timeout; requests in flight get a short grace, then the rest is cut.
            self._thread.join(timeout=0.5)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout=10)
            self._thread = None
        self._cleanup()

    def _cleanup(self) -> None:
        if self.config.data_dir:
            # Operations live in memory only: finish them so no resource is stuck in
            # "Creating"/"Deleting" after a restart.
            self.emulator.lro.finish_all()
        self.emulator.store.flush()
        self.emulator.store.close()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> EmulatorInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
