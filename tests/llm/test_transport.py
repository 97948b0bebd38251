"""The HTTP path under the SDKs: requests leave when they are built, the SDK's per-client
platform lookup runs once, and warmup does the first call's set-up without the network."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from tracefabric.llm.providers import sdk_platform
from tracefabric.llm.providers.transport import aiohttp_transport
from tracefabric.llm.testing import StubServer

from .helpers import cloud_llm, run

MESSAGES = [{"role": "user", "content": "hello"}]


class BodyClock:
    """A raw HTTP/1.1 server on 127.0.0.1 (one keep-alive connection) that notes when each
    whole request, head and body, has arrived."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.arrivals: list[float] = []
        self.lengths: list[int] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        data = b""
        while True:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, data = data.split(b"\r\n\r\n", 1)
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            while len(data) < length:
                data += conn.recv(65536)
            data = data[length:]
            self.arrivals.append(time.monotonic())
            self.lengths.append(length)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")

    def close(self) -> None:
        self.sock.close()


def test_request_body_leaves_before_other_ready_work() -> None:
    """Answers that arrive together wake their tasks in one turn of the loop. A task's next
    request must leave when it is built, not after every other task's work in that turn (on
    Python 3.11 aiohttp would queue the body write behind them; see eager_body.py)."""
    server = BodyClock()
    url = f"http://127.0.0.1:{server.port}/v1/chat/completions"

    async def scenario() -> float:
        client = aiohttp_transport("openai", 10.0)
        assert client is not None
        await client.post(url, content=b"{}")  # the keep-alive connection is open from here on
        woken = asyncio.Event()
        busy_done = 0.0

        async def request() -> None:
            await woken.wait()
            response = await client.post(url, content=b"[1]" * 1000)
            assert response.status_code == 200

        async def other_work() -> None:
            nonlocal busy_done
            await woken.wait()
            time.sleep(0.3)  # CPU work of the other samples woken in the same turn
            busy_done = time.monotonic()

        tasks = [asyncio.ensure_future(request()), asyncio.ensure_future(other_work())]
        await asyncio.sleep(0)  # both wait on the event, the request first
        woken.set()
        await asyncio.gather(*tasks)
        await client.aclose()
        return busy_done

    busy_done = asyncio.run(scenario())
    server.close()
    assert len(server.arrivals) == 2
    assert server.arrivals[1] < busy_done, "the request body waited for the loop's other work"


def test_a_body_too_big_for_one_step_is_sent_whole() -> None:
    """A body bigger than the socket takes at once makes the eager write wait for the socket;
    the rest is written from the request's own task."""
    server = BodyClock()
    body = b"x" * (32 * 1024 * 1024)

    async def scenario() -> int:
        client = aiohttp_transport("openai", 30.0)
        assert client is not None
        response = await client.post(f"http://127.0.0.1:{server.port}/big", content=body)
        await client.aclose()
        return response.status_code

    assert asyncio.run(scenario()) == 200
    server.close()
    assert server.lengths == [len(body)]


def test_a_request_cancelled_while_its_body_waits_on_the_socket_ends_cleanly() -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never reads
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()

    async def scenario() -> None:
        client = aiohttp_transport("openai", 30.0)
        assert client is not None
        request = asyncio.ensure_future(
            client.post(f"http://127.0.0.1:{port}/", content=b"x" * (64 * 1024 * 1024))
        )
        await asyncio.sleep(0.3)
        assert not request.done()  # stuck on the full socket
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(request, 5)
        await client.aclose()

    asyncio.run(scenario())
    for conn in accepted:
        conn.close()
    listener.close()


def test_platform_is_looked_up_once_for_a_burst_of_first_calls(stub: StubServer, monkeypatch) -> None:
    import openai._base_client

    calls = []
    real = openai._base_client.get_platform

    def counting() -> object:
        calls.append(1)
        return real()

    monkeypatch.setattr(openai._base_client, "get_platform", counting)
    llm = cloud_llm(stub, "openai")

    async def burst() -> None:
        await asyncio.gather(*(llm.text(MESSAGES, variant=i) for i in range(16)))
        await llm.aclose()

    run(burst())
    assert len(stub.requests) == 16
    assert len(calls) == 1


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_warmup_sets_the_client_up_without_a_request(stub: StubServer, provider: str) -> None:
    llm = cloud_llm(stub, provider)

    async def warm() -> object:
        await llm.warmup()
        client = llm.provider.client.get()  # type: ignore[attr-defined]
        platform = client._platform
        await llm.aclose()
        return platform

    assert run(warm()) is not None
    assert stub.requests == []


def test_settle_platform_ignores_clients_without_one() -> None:
    class Other:
        pass

    asyncio.run(sdk_platform.settle_platform(Other()))  # nothing to do, nothing raised
