"""The bot's HTTP client (bot/http.py) against servers that fail in each way the at-most-once
rule tells apart: a send that may have reached Telegram is not sent again."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

from bot.http import AiohttpRequest
from bot.sending import may_have_arrived

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    await asyncio.sleep(5)


async def hangs_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.close()


async def garbles(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 2OO NOT A STATUS\r\n\r\n")
    await writer.drain()
    writer.close()


@asynccontextmanager
async def server(behaviour: Behaviour) -> AsyncIterator[str]:
    listening = await asyncio.start_server(behaviour, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/botTOKEN/sendMessage"
    finally:
        listening.close()


async def send(url: str) -> Exception:
    request = AiohttpRequest(read_timeout=0.5, connect_timeout=0.5)
    await request.initialize()
    try:
        await request.do_request(url, "POST", RequestData())
    except Exception as error:
        return error
    finally:
        await request.shutdown()
    raise AssertionError("the request succeeded")


@pytest.mark.parametrize(
    ("behaviour", "kind"),
    [(never_answers, TimedOut), (hangs_up, NetworkError), (garbles, NetworkError)],
    ids=["no answer", "hung up after the request", "garbled answer"],
)
async def test_a_request_telegram_may_have_read_counts_as_maybe_delivered(behaviour, kind) -> None:
    async with server(behaviour) as url:
        error = await send(url)
    assert isinstance(error, kind)
    assert may_have_arrived(error)


async def test_a_refused_connection_counts_as_not_delivered() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await send(f"http://127.0.0.1:{port}/botTOKEN/sendMessage")
    assert isinstance(error, NetworkError) and not isinstance(error, TimedOut)
    assert not may_have_arrived(error), "never sent: it is sent again"
