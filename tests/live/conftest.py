"""A moto server, started by the tests on localhost (no mocks of our own): boto3 talks HTTP
to it exactly as to AWS, through ``AWS_ENDPOINT_URL``, with fake credentials from the
environment."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator

import pytest

pytest.importorskip("moto.server", reason="the live tests need moto[server] (the test extra)")
boto3 = pytest.importorskip("boto3")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> Iterator[str]:
    """A fresh, empty moto account; the environment points boto3 at it (and nowhere else)."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    _post(moto_endpoint, "/moto-api/reset", b"")
    yield moto_endpoint
    set_auth(moto_endpoint, enforced=False)


def _post(endpoint: str, path: str, body: bytes) -> None:
    req = urllib.request.Request(endpoint + path, data=body, method="POST",
                                 headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=30) as response:
        response.read()


def set_auth(endpoint: str, *, enforced: bool) -> None:
    """moto checks IAM permissions of every request from now on (or stops checking)."""
    _post(endpoint, "/moto-api/reset-auth", b"0" if enforced else b"inf")
