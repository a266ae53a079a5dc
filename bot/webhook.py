"""The webhook server: small, and suspicious of every connection.

PTB's server (tornado) read a whole body before looking at the secret, had no limit on
bodies or connections and waited forever for slow clients: 1,100 slow connections starved
Telegram's real requests, five 99 MB bodies with a wrong secret took 590 MiB. Here the
request line and headers must arrive within seconds and fit in 16 KB; the secret is checked
before a byte of the body is read; a body over 1 MB is refused from its Content-Length;
above a cap of open connections, the oldest one still sending its headers is cut off to make
room (Telegram sends its headers at once; a slow client never does), so a flood of slow
connections cannot keep Telegram out. Telegram gets its 200 only once the update was
answered, so an update lost in a crash is sent again (the same guarantee as polling).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from http import HTTPStatus

from bot.polling import Dispatcher

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000
"""An update is a few kilobytes; Telegram's largest are far below this."""
MAX_HEAD = 16_384
HEAD_SECONDS = 5.0
BODY_SECONDS = 10.0
MAX_CONNECTIONS = 256
"""Telegram opens at most 40 (setWebhook max_connections); the rest are not Telegram."""
SECRET_HEADER = "x-telegram-bot-api-secret-token"


class WebhookServer:
    def __init__(self, dispatcher: Dispatcher, *, secret: str, path: str = "/telegram") -> None:
        self.dispatcher, self.secret, self.path = dispatcher, secret, path
        self.open = 0
        self.waiting: dict[asyncio.StreamWriter, None] = {}
        """Connections still sending their headers, oldest first."""
        self.server: asyncio.Server | None = None

    async def start(self, listen: str, port: int) -> None:
        self.server = await asyncio.start_server(self._connection, listen, port, limit=MAX_HEAD)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 5)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.open >= MAX_CONNECTIONS:
            if not self.waiting:
                writer.transport.abort()
                return
            slowest = next(iter(self.waiting))
            del self.waiting[slowest]  # out at once: the next newcomer evicts another
            slowest.transport.abort()
        self.open += 1
        self.waiting[writer] = None
        try:
            status = await self._request(reader, writer)
            if status is not None:
                phrase = HTTPStatus(status).phrase
                writer.write(
                    f"HTTP/1.1 {status} {phrase}\r\nContent-Length: 0\r\n"
                    "Connection: close\r\n\r\n".encode()
                )
                with contextlib.suppress(ConnectionError, TimeoutError):
                    await asyncio.wait_for(writer.drain(), BODY_SECONDS)
        except Exception:
            log.exception("webhook request failed")
        finally:
            self.open -= 1
            self.waiting.pop(writer, None)
            writer.close()

    async def _request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> int | None:
        """The status to answer, or None to just close (a client too slow or too big)."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_SECONDS)
        except (
            TimeoutError,
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            return None
        finally:
            self.waiting.pop(writer, None)
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, _, rest = request_line.partition(" ")
        target = rest.partition(" ")[0]
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines if line)
        }
        if method != "POST" or target != self.path:
            return 404
        if not hmac.compare_digest(headers.get(SECRET_HEADER, "").encode(), self.secret.encode()):
            return 403
        length = headers.get("content-length", "")
        if not (length.isascii() and length.isdigit()):
            return 411
        if int(length) > MAX_BODY:
            return 413
        try:
            body = await asyncio.wait_for(reader.readexactly(int(length)), BODY_SECONDS)
            raw = json.loads(body)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            return None
        except ValueError:
            return 400
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return 400
        task = self.dispatcher.submit(raw)
        if task is not None:
            await asyncio.shield(task)  # answered before Telegram hears 200
        return 200
