"""The bot's HTTP client: python-telegram-bot's requests carried by aiohttp instead of httpx.

Under load most of the bot's CPU went into httpx and httpcore (httpcore checks every pooled
connection for expiry on each request), not into the bot: one request cost about 1.2 ms of
CPU alone and 2.5 ms with 16 at once, against 0.2-0.3 ms with aiohttp, whose HTTP parser is
compiled (measured against the fake Bot API on one core; ``bench/bench_fairness.py``, part 2,
shows the whole bot's). PTB lets the transport be replaced through ``BaseRequest``;
everything above it (the Bot API methods, errors, rate limiting) is PTB's own.

Errors keep what ``bot.sending.may_have_arrived`` needs: the aiohttp exception is the
``__cause__`` of PTB's ``TimedOut`` or ``NetworkError``. The messages we raise carry no URL
(it holds the token); aiohttp's own (the causes) may, and only ``bot.logs``, which withholds
every exception message, keeps them out of the log.

As with httpx before: proxies from ``HTTPS_PROXY`` and certifi's certificate authorities.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlencode

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM = "application/x-www-form-urlencoded"
POOL_SIZE = 64
"""Connections to Telegram at once: above the polling loop's 16 workers and the staff's."""


class AiohttpRequest(BaseRequest):
    """A PTB request over one aiohttp session, with PTB's default time limits (seconds)."""

    def __init__(
        self,
        *,
        pool_size: int = POOL_SIZE,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self.pool_size = pool_size
        self._read_timeout = read_timeout
        self.connect_timeout = connect_timeout
        self.pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            authorities = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self.pool_size, ssl=authorities)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}, trust_env=True
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | DefaultValue | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | DefaultValue | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | DefaultValue | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | DefaultValue | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One request; aiohttp has no write time-out, so ``write_timeout`` is not used (a
        send's body is a few kilobytes)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self.connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self.pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            # ``connect`` is waiting for a free connection and opening it; ``sock_read`` is
            # the wait for each piece of the answer, that is for Telegram to answer.
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            body = self._body(request_data)
            headers = {"Content-Type": FORM} if body is not None else None
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's time-outs are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error

    @staticmethod
    def _body(request_data: RequestData | None) -> bytes | None:
        """Form fields as PTB encodes them (non-text values as JSON). Encoded here: aiohttp's
        FormData draws a random multipart boundary even for a plain form (7 % of the event
        loop's time under load). The bot sends no files, so there is no multipart."""
        if request_data is None:
            return None
        if request_data.multipart_data:
            raise NotImplementedError("bot.http sends no files (no multipart upload)")
        return urlencode(request_data.json_parameters).encode()
