"""A fake Telegram Bot API server, so end-to-end tests can drive the real PTB ``Application``.

Why a real HTTP server rather than mocking ``telegram.Bot``: the bot's polling loop, request
encoding, error mapping (429 → ``RetryAfter``, 400 → ``BadRequest``...) and timeouts are part of
what we want to test. The server runs in a background thread (``ThreadingHTTPServer``) and the
test drives asyncio in the main thread; all shared state sits behind one lock.

Typical use::

    with FakeBotAPI(token="123:ABC") as api:
        app = (ApplicationBuilder().token("123:ABC").base_url(api.base_url)
               .base_file_url(api.base_file_url).build())
        ...  # start polling
        api.send_text(42, "bonjour")
        replies = await api.wait_for(lambda: api.sent(chat_id=42))

The fake is deliberately strict where real Telegram is strict (unknown chat, "message is not
modified", HTML that does not parse, callback_data over 64 bytes, answering a callback query
twice), so that bugs which would only show up in production show up in tests. Error texts copy
Telegram's where they are known; a few are approximations (marked below).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.policy
import json
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from html import unescape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

JSON = dict[str, Any]
T = TypeVar("T")

#: Parameters that are plain strings. PTB sends every other value JSON-encoded in the form
#: body (``chat_id=42``, ``reply_markup={"inline_keyboard": ...}``) but strings raw, so a
#: text that happens to look like JSON (``"123"``, ``"true"``) must not be decoded.
STRING_PARAMS = frozenset(
    "action address business_connection_id callback_query_id caption description "
    "emoji foursquare_id foursquare_type google_place_id google_place_type "
    "inline_message_id ip_address language_code message_effect_id parse_mode "
    "secret_token short_description text title url file_id".split()
)

FAULT_KINDS = frozenset({"429", "500", "502", "timeout", "drop", "malformed"})

CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note "
    "upload_video_note".split()
)

_HTML_TAGS = frozenset(
    "a b strong i em u ins s strike del span tg-spoiler tg-emoji code pre blockquote".split()
)
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b([^<>]*)>")
_MDV2_ALWAYS_RESERVED = frozenset("#+-={}.!")
_PATH_RE = re.compile(r"/bot([^/]*)/([A-Za-z_]+)/?")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class ApiError(Exception):
    """An error answer from the fake API, turned into ``{"ok": false, ...}`` with its code."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class _Fault:
    kind: str
    remaining: int
    options: JSON = field(default_factory=dict)


def _utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _bad_entities(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def html_to_plain(text: str) -> str:
    """Check ``text`` as Telegram's HTML parse mode would and return the visible text.

    Only ``<`` is special to Telegram (an ``&`` that is not an entity is kept as is), so the
    check is about tags: supported names, proper nesting, closed at the end.
    """
    stack: list[tuple[str, int]] = []
    plain: list[str] = []
    i = 0
    while i < len(text):
        lt = text.find("<", i)
        if lt < 0:
            plain.append(text[i:])
            break
        plain.append(text[i:lt])
        offset = len(text[:lt].encode())
        m = _HTML_TAG_RE.match(text, lt)
        if m is None:
            if text.find(">", lt) < 0:
                raise _bad_entities(f"Unclosed start tag at byte offset {offset}")
            raise _bad_entities(f"Unsupported start tag at byte offset {offset}")
        closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            if not stack:
                raise _bad_entities(f"Unexpected end tag at byte offset {offset}")
            opened, _ = stack.pop()
            if opened != name:
                raise _bad_entities(
                    f'Unmatched end tag at byte offset {offset}, expected "</{opened}>", '
                    f'found "</{name}>"'
                )
        else:
            if name not in _HTML_TAGS:
                raise _bad_entities(f'Unsupported start tag "{name}" at byte offset {offset}')
            if name == "span" and "tg-spoiler" not in attrs:
                raise _bad_entities('Tag "span" must have class "tg-spoiler"')
            stack.append((name, offset))
        i = m.end()
    if stack:
        raise _bad_entities(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return unescape("".join(plain))


def check_markdown_v2(text: str) -> str:
    """Catch the common MarkdownV2 mistake (an unescaped ``.``, ``-``, ``!``...); approximate.

    Formatting characters (``*_~|[]()`>``) are not checked for balance; code spans are skipped.
    """
    i = 0
    in_code = False
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        elif not in_code and ch in _MDV2_ALWAYS_RESERVED:
            if not (ch == "!" and text.startswith("[", i + 1)):
                raise _bad_entities(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
        elif not in_code and ch == ">" and i > 0 and text[i - 1] != "\n":
            raise _bad_entities(
                "Character '>' is reserved and must be escaped with the preceding '\\'"
            )
        i += 1
    return re.sub(r"\\(.)", r"\1", text)


def _decode_value(name: str, raw: str) -> Any:
    """Undo PTB's encoding of one form field (see ``STRING_PARAMS``)."""
    if name in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class _Server(ThreadingHTTPServer):
    """Tracks open connections so ``stop()`` can unblock keep-alive reads and join threads."""

    daemon_threads = False  # so server_close() joins every handler thread
    block_on_close = True

    def __init__(self, address: tuple[str, int], api: FakeBotAPI) -> None:
        self.api = api
        self.open_connections: set[socket.socket] = set()
        self._conn_lock = threading.Condition()
        self._in_flight = 0
        super().__init__(address, _Handler)

    @contextlib.contextmanager
    def in_flight(self) -> Iterator[None]:
        """Count requests being answered, so stop() lets them finish before cutting sockets."""
        with self._conn_lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._conn_lock:
                self._in_flight -= 1
                self._conn_lock.notify_all()

    def wait_idle(self, timeout: float) -> None:
        with self._conn_lock:
            self._conn_lock.wait_for(lambda: self._in_flight == 0, timeout)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        with self._conn_lock:
            conns = list(self.open_connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """One HTTP connection; HTTP/1.1 keep-alive like api.telegram.org (httpx reuses sockets)."""

    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.18.0"
    sys_version = ""
    timeout = 30  # safety net: a silent client cannot pin a thread forever
    # Headers and body go out in separate writes; with Nagle + delayed ACK each answer
    # would take ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean; the API records calls itself."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:  # the client gave up (e.g. its read timeout fired): nothing to do
            self.close_connection = True

    def reply_json(self, status: int, payload: Any) -> None:
        self.reply(status, json.dumps(payload, ensure_ascii=False).encode())

    def _read_params(self) -> JSON:
        split = urlsplit(self.path)
        params: JSON = {k: _decode_value(k, v) for k, v in parse_qsl(split.query, True)}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not body:
            return params
        ctype = self.headers.get_content_type()
        if ctype == "application/json":
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("JSON body is not an object")
            params.update(data)
        elif ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qsl(body.decode(), keep_blank_values=True):
                params[k] = _decode_value(k, v)
        elif ctype == "multipart/form-data":
            header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
            for part in message.iter_parts():  # type: ignore[attr-defined]
                name = part.get_param("name", header="content-disposition")
                content = part.get_payload(decode=True) or b""
                filename = part.get_filename()
                if filename is not None:
                    params[name] = {
                        "filename": filename,
                        "content_type": part.get_content_type(),
                        "size": len(content),
                        "content": content,
                    }
                else:
                    params[name] = _decode_value(name, content.decode())
        else:
            raise ValueError(f"unsupported content type {ctype}")
        return params

    def _handle(self) -> None:
        with self.server.in_flight():
            self._dispatch()

    def _dispatch(self) -> None:
        api = self.server.api
        try:
            params = self._read_params()
        except (ValueError, UnicodeDecodeError) as exc:
            self.reply_json(
                400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
            )
            return
        # PTB percent-encodes file URLs, so the token's ":" arrives as "%3A".
        path = unquote(urlsplit(self.path).path)
        if path.startswith("/file/bot"):
            api._serve_file(self, path.removeprefix("/file/bot"))
            return
        m = _PATH_RE.fullmatch(path)
        if m is None:
            self.reply_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method = m.groups()
        if token != api.token:
            self.reply_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        api._serve(self, method, params)


class FakeBotAPI:
    """A local stand-in for api.telegram.org: injects updates, records what the bot sends.

    Thread-safe: the HTTP server answers in its own threads; tests call the helpers from the
    asyncio main thread. ``calls`` holds every request that reached a method (including those
    answered with an API error such as 400), in arrival order; requests hit by an injected
    fault are in ``faults`` instead, so ``sent()`` is exactly what a user would have received.
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        username: str = "ctai_test_bot",
        first_name: str = "CTAI Test Bot",
        host: str = "127.0.0.1",
    ) -> None:
        self.token = token
        self.host = host
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self._updates: list[JSON] = []  # unconfirmed, in update_id order
        self._next_update_id = 100_001
        self._confirmed_offset = 0
        self._poll_generation = 0

        self._calls: list[tuple[str, JSON]] = []
        self._fault_log: list[tuple[str, str, JSON]] = []
        self._sent: list[JSON] = []
        self._faults: dict[str, list[_Fault]] = {}
        self.server_errors: list[str] = []
        self.unknown_methods: list[str] = []

        self._users: dict[int, JSON] = {}
        self._chats: dict[int | str, JSON] = {}
        self._messages: dict[tuple[int | str, int], JSON] = {}
        self._next_message_id: dict[int | str, int] = {}
        self._last_bot_message: dict[int | str, int] = {}
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._next_callback_id = 4_000_000_001
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self._blocked: set[int] = set()

        self._webhook: JSON = {"url": ""}
        self.topics: list[JSON] = []
        """Forum topics the bot created: chat_id, message_thread_id, name."""
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._descriptions: dict[str, str] = {}
        self._short_descriptions: dict[str, str] = {}

        self._methods: dict[str, Callable[[JSON], Any]] = {
            "getMe": lambda p: copy.deepcopy(self.bot_user),
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendVenue": self._send_venue,
            "sendLocation": self._send_location,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": lambda p: self._set_text(p, "description", 512),
            "getMyDescription": lambda p: self._get_text(p, "description"),
            "setMyShortDescription": lambda p: self._set_text(p, "short_description", 120),
            "getMyShortDescription": lambda p: self._get_text(p, "short_description"),
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "createForumTopic": self._create_forum_topic,
            "close": lambda p: True,
            "logOut": lambda p: True,
        }
        self._method_names = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotAPI:
        """Bind a free port on ``host`` and serve in a background thread."""
        if self._server is not None:
            raise RuntimeError("FakeBotAPI already started")
        self._stopping.clear()
        self._server = _Server((self.host, 0), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeBotAPI:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake waiting long polls, close connections and join every thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        server.shutdown()
        server.wait_idle(timeout=2)  # woken long polls and held requests answer first
        server.close_open_connections()
        server.server_close()  # joins the handler threads (daemon_threads = False)
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if exc_type is None and self.server_errors:
            raise AssertionError(
                "FakeBotAPI crashed while serving:\n" + "\n".join(self.server_errors)
            )

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotAPI is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()``: PTB appends ``<token>/<method>``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url()``: PTB appends ``<token>/<file_path>``."""
        return f"http://{self.host}:{self.port}/file/bot"

    # ------------------------------------------------------------------ fault injection

    def fail_next(self, method: str, kind: str, times: int = 1, **options: Any) -> None:
        """Answer the next ``times`` calls of ``method`` with a fault instead of the result.

        Kinds: ``"429"`` (``retry_after=1``), ``"500"``, ``"502"`` (nginx HTML page, as
        Telegram's front end sends), ``"timeout"`` (hold the request until the client gives
        up or ``delay`` seconds, default 30, pass; then close without answering. With
        ``deliver=True`` the call is executed first — "Telegram sent it but the answer was
        lost" — the case that makes naive retries send twice), ``"drop"`` (close the
        connection without a response), ``"malformed"`` (HTTP 200 with a non-JSON ``body``),
        or any other HTTP status code as a string, e.g. ``"403"`` with ``description=...``.
        Faults queue up in order per method.
        """
        if kind not in FAULT_KINDS and not (kind.isdigit() and len(kind) == 3):
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._cond:
            self._faults.setdefault(method.lower(), []).append(_Fault(kind, times, options))

    def block_user(self, user_id: int) -> None:
        """Make sends to this private chat fail with 403, as when the user blocked the bot."""
        with self._cond:
            self._blocked.add(user_id)

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            queue = self._faults.get(method.lower())
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault

    def _apply_fault(self, handler: _Handler, method: str, params: JSON, fault: _Fault) -> None:
        opts = fault.options
        with self._cond:
            self._fault_log.append((method, fault.kind, params))
            self._cond.notify_all()
        if fault.kind == "429":
            retry_after = int(opts.get("retry_after", 1))
            error = ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
            handler.reply_json(429, error.payload())
        elif fault.kind == "502":
            handler.reply(502, opts.get("body", _NGINX_502), "text/html")
        elif fault.kind == "malformed":
            handler.reply(200, opts.get("body", b'{"ok": true, "result": '))
        elif fault.kind == "drop":
            handler.close_connection = True
        elif fault.kind == "timeout":
            answer = self._run(method, params) if opts.get("deliver") else None
            gave_up = self._wait_for_client_to_give_up(handler, float(opts.get("delay", 30)))
            if answer is not None and not gave_up and not self._stopping.is_set():
                handler.reply_json(*answer)
            else:
                handler.close_connection = True
        else:  # "500" or any other status code
            code = int(fault.kind)
            try:
                phrase = HTTPStatus(code).phrase
            except ValueError:
                phrase = "Error"
            description = opts.get("description", phrase)
            handler.reply_json(code, ApiError(code, description).payload())

    def _wait_for_client_to_give_up(self, handler: _Handler, delay: float) -> bool:
        """Hold a request; True once the client closed its socket (its read timeout fired)."""
        deadline = time.monotonic() + delay
        conn = handler.connection
        while not self._stopping.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([conn], [], [], 0.05)
            if readable:
                try:
                    if not conn.recv(1, socket.MSG_PEEK):
                        return True
                except OSError:
                    return True
                time.sleep(0.05)
        return False

    # ------------------------------------------------------------------ serving

    def _serve(self, handler: _Handler, method: str, params: JSON) -> None:
        name = self._method_names.get(method.lower())
        if name is None:
            # PTB turns this 404 into InvalidToken("Not Found"), which misleads: keep a trace.
            with self._cond:
                self.unknown_methods.append(method)
            handler.reply_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        fault = self._take_fault(name)
        if fault is not None:
            self._apply_fault(handler, name, params, fault)
            return
        handler.reply_json(*self._run(name, params))

    def _run(self, name: str, params: JSON) -> tuple[int, JSON]:
        with self._cond:
            self._calls.append((name, params))
            self._cond.notify_all()
        try:
            with self._cond:
                result = self._methods[name](params)
                self._cond.notify_all()
        except ApiError as exc:
            return exc.code, exc.payload()
        except Exception as exc:  # a bug in the fake: report it loudly, answer 500
            with self._cond:
                self.server_errors.append(f"{name}({params!r}): {exc!r}")
            return 500, ApiError(500, f"Internal Server Error: fake crashed: {exc!r}").payload()
        return 200, {"ok": True, "result": result}

    def _serve_file(self, handler: _Handler, rest: str) -> None:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            handler.reply_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        with self._cond:
            found = [content for path, content in self._files.values() if path == file_path]
        if not found:
            handler.reply_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        handler.reply(200, found[0], "application/octet-stream")

    # ------------------------------------------------------------------ updates in

    def _enqueue(self, update: JSON) -> int:
        with self._cond:
            if "update_id" in update:
                self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
            else:
                update["update_id"] = self._next_update_id
                self._next_update_id += 1
            self._updates.append(update)
            self._updates.sort(key=lambda u: u["update_id"])
            self._cond.notify_all()
            return int(update["update_id"])

    def set_user(self, user_id: int, **fields: Any) -> JSON:
        """Create or change a user (first_name, last_name, username, language_code, ...);
        a field set to None is removed (a Telegram client that sends no language)."""
        with self._cond:
            user = self._users.setdefault(
                user_id,
                {
                    "id": user_id,
                    "is_bot": False,
                    "first_name": "Test",
                    "last_name": f"User{user_id}",
                    "username": f"user{user_id}",
                    "language_code": "fr",
                },
            )
            for name, value in fields.items():
                if value is None:
                    user.pop(name, None)
                else:
                    user[name] = value
            return copy.deepcopy(user)

    def _chat(self, user: JSON, chat_type: str, chat_id: int | None) -> JSON:
        uid = user["id"]
        if chat_type == "private":
            if chat_id not in (None, uid):
                raise ValueError("a private chat's id is the user's id")
            chat = {"id": uid, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if user.get(key):
                    chat[key] = user[key]
        elif chat_type in ("group", "supergroup"):
            if chat_id is None:
                chat_id = -(1_000_000 + uid) if chat_type == "group" else -(10**12 + uid)
            if chat_id >= 0:
                raise ValueError("group chat ids are negative")
            chat = {"id": chat_id, "type": chat_type, "title": f"Test group {-chat_id}"}
        else:
            raise ValueError(f"unsupported chat_type {chat_type!r}; use send_raw()")
        self._chats[chat["id"]] = chat
        return copy.deepcopy(chat)

    def _next_id(self, chat_id: int | str) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _user_message(
        self,
        user_id: int,
        *,
        language_code: str | None,
        chat_type: str,
        chat_id: int | None,
        **content: Any,
    ) -> int:
        with self._cond:
            extra = {"language_code": language_code} if language_code else {}
            user = self.set_user(user_id, **extra)
            chat = self._chat(user, chat_type, chat_id)
            message = {
                "message_id": self._next_id(chat["id"]),
                "from": user,
                "chat": chat,
                "date": int(time.time()),
                **content,
            }
            self._messages[(chat["id"], message["message_id"])] = message
            return self._enqueue({"message": copy.deepcopy(message)})

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "fr",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        """Inject a text message; a leading ``/command`` gets its ``bot_command`` entity, as
        PTB's ``CommandHandler`` only fires on that entity, not on the text."""
        content: JSON = {"text": text}
        m = _COMMAND_RE.match(text)
        if m:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(m.group())}
            ]
        return self._user_message(
            user_id, language_code=language_code, chat_type=chat_type, chat_id=chat_id, **content
        )

    def send_location(
        self,
        user_id: int,
        lat: float,
        lon: float,
        *,
        language_code: str | None = "fr",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        """Inject a shared location."""
        return self._user_message(
            user_id,
            language_code=language_code,
            chat_type=chat_type,
            chat_id=chat_id,
            location={"latitude": lat, "longitude": lon},
        )

    def _new_file(self, folder: str, suffix: str, content: bytes) -> JSON:
        with self._cond:
            n = len(self._files) + 1
            file_id = f"FAKE-{folder}-{n}"
            self._files[file_id] = (f"{folder}/file_{n}.{suffix}", content)
            return {"file_id": file_id, "file_unique_id": f"U{n}", "file_size": len(content)}

    def send_voice(
        self,
        user_id: int,
        *,
        duration: int = 3,
        content: bytes = b"OggS fake voice",
        language_code: str | None = "fr",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        """Inject a voice note (downloadable through getFile + base_file_url)."""
        voice = {
            **self._new_file("voice", "oga", content),
            "duration": duration,
            "mime_type": "audio/ogg",
        }
        return self._user_message(
            user_id,
            language_code=language_code,
            chat_type=chat_type,
            chat_id=chat_id,
            voice=voice,
        )

    def send_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        content: bytes = b"\xff\xd8\xff fake jpeg",
        language_code: str | None = "fr",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        """Inject a photo (two sizes, as Telegram sends), optionally captioned."""
        sizes = [
            {**self._new_file("photos", "jpg", content), "width": w, "height": h}
            for w, h in ((90, 67), (1280, 960))
        ]
        extra: JSON = {"caption": caption} if caption is not None else {}
        return self._user_message(
            user_id,
            language_code=language_code,
            chat_type=chat_type,
            chat_id=chat_id,
            photo=sizes,
            **extra,
        )

    def send_sticker(
        self,
        user_id: int,
        *,
        emoji: str = "👍",
        language_code: str | None = "fr",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        """Inject a (static) sticker."""
        sticker = {
            **self._new_file("stickers", "webp", b"RIFF fake webp"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._user_message(
            user_id,
            language_code=language_code,
            chat_type=chat_type,
            chat_id=chat_id,
            sticker=sticker,
        )

    def send_document(
        self,
        user_id: int,
        *,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        content: bytes = b"%PDF-1.4 fake",
        language_code: str | None = "fr",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        """Inject a document."""
        document = {
            **self._new_file("documents", file_name.rpartition(".")[2] or "bin", content),
            "file_name": file_name,
            "mime_type": mime_type,
        }
        extra: JSON = {"caption": caption} if caption is not None else {}
        return self._user_message(
            user_id,
            language_code=language_code,
            chat_type=chat_type,
            chat_id=chat_id,
            document=document,
            **extra,
        )

    def press_button(
        self,
        user_id: int,
        callback_data: str,
        *,
        message_id: int | None = None,
        chat_id: int | None = None,
        strict: bool = True,
        language_code: str | None = "fr",
    ) -> int:
        """Inject a callback query on a bot message (by default the last one in the chat).

        With ``strict`` the message must carry an inline button with that ``callback_data``,
        as only real buttons can be pressed; pass ``strict=False`` to simulate stale data.
        """
        with self._cond:
            chat_key = user_id if chat_id is None else chat_id
            if message_id is None:
                if chat_key not in self._last_bot_message:
                    raise LookupError(f"the bot has sent no message in chat {chat_key}")
                message_id = self._last_bot_message[chat_key]
            message = self._messages.get((chat_key, message_id))
            if message is None:
                raise LookupError(f"no message {message_id} in chat {chat_key}")
            if strict:
                rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
                data = [b.get("callback_data") for row in rows for b in row]
                if callback_data not in data:
                    raise ValueError(
                        f"message {message_id} has no button with callback_data "
                        f"{callback_data!r}; buttons: {data}"
                    )
            extra = {"language_code": language_code} if language_code else {}
            user = self.set_user(user_id, **extra)
            query_id = str(self._next_callback_id)
            self._next_callback_id += 1
            self._callback_queries[query_id] = False
            query = {
                "id": query_id,
                "from": user,
                "message": copy.deepcopy(message),
                "chat_instance": str(7_000_000_000 + abs(hash(chat_key)) % 10**9),
                "data": callback_data,
            }
            return self._enqueue({"callback_query": query})

    def send_raw(self, update: JSON) -> int:
        """Inject any update dict (edited_message, channel_post, ...); ``update_id`` is added
        if missing. Chats and messages found in it become known, so the bot may answer."""
        update = copy.deepcopy(update)
        with self._cond:
            for value in update.values():
                if not isinstance(value, dict):
                    continue
                for message in (value, value.get("message")):
                    if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                        chat = message["chat"]
                        self._chats[chat["id"]] = copy.deepcopy(chat)
                        if "message_id" in message:
                            key = (chat["id"], message["message_id"])
                            self._messages.setdefault(key, copy.deepcopy(message))
                            self._next_message_id[chat["id"]] = max(
                                self._next_message_id.get(chat["id"], 1),
                                message["message_id"] + 1,
                            )
                if value.get("id") and "data" in value:  # a callback query
                    self._callback_queries.setdefault(str(value["id"]), False)
            return self._enqueue(update)

    # ------------------------------------------------------------------ inspection

    @property
    def calls(self) -> list[tuple[str, JSON]]:
        """Every (method, params) that reached a method, in arrival order (a snapshot)."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[JSON]:
        """The params of every call to ``method``."""
        return [params for name, params in self.calls if name == method]

    @property
    def faults(self) -> list[tuple[str, str, JSON]]:
        """(method, kind, params) of every request answered with an injected fault."""
        with self._cond:
            return list(self._fault_log)

    @property
    def confirmed_offset(self) -> int:
        """The highest ``offset`` the bot passed to getUpdates (every update below is done)."""
        with self._cond:
            return self._confirmed_offset

    @property
    def pending_updates(self) -> list[JSON]:
        """Injected updates the bot has not confirmed yet."""
        with self._cond:
            return copy.deepcopy(self._updates)

    def sent_count(self) -> int:
        """How many messages were delivered in all (cheap: for load tests)."""
        with self._cond:
            return len(self._sent)

    def sent(self, chat_id: int | str | None = None, *, method: str | None = None) -> list[JSON]:
        """What the bot delivered (sends and edits), oldest first.

        Each record: ``method, chat_id, message_id, text, parse_mode, reply_markup`` (parsed),
        ``location, venue, params`` (all request params) and ``message`` (what was returned).
        """
        with self._cond:
            return [
                copy.deepcopy(record)
                for record in self._sent
                if (chat_id is None or record["chat_id"] == chat_id)
                and (method is None or record["method"] == method)
            ]

    def message(self, chat_id: int | str, message_id: int) -> JSON:
        """The current state of a message (after edits), e.g. to check its keyboard."""
        with self._cond:
            return copy.deepcopy(self._messages[(chat_id, message_id)])

    def my_commands(self, language_code: str = "", scope: JSON | None = None) -> list[JSON]:
        """The command list set for this language and scope."""
        with self._cond:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """The (short) description set for this language."""
        with self._cond:
            store = self._short_descriptions if short else self._descriptions
            return store.get(language_code, "")

    def dump(self, last: int = 30) -> str:
        """A readable summary of recent traffic for assertion messages."""
        with self._cond:
            lines = [f"calls (last {last} of {len(self._calls)}):"]
            lines += [f"  {name} {params!r}" for name, params in self._calls[-last:]]
            lines.append(f"sent ({len(self._sent)}):")
            lines += [
                f"  {r['method']} chat={r['chat_id']} msg={r['message_id']} text={r['text']!r}"
                for r in self._sent[-last:]
            ]
            lines.append(f"faults: {[(m, k) for m, k, _ in self._fault_log]}")
            lines.append(f"pending updates: {[u['update_id'] for u in self._updates]}")
            lines.append(f"confirmed offset: {self._confirmed_offset}")
            if self.unknown_methods:
                lines.append(f"UNIMPLEMENTED METHODS CALLED: {self.unknown_methods}")
            if self.server_errors:
                lines.append(f"SERVER ERRORS: {self.server_errors}")
            return "\n".join(lines)

    def wait_until(
        self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.01
    ) -> T:
        """Poll ``predicate`` until it is truthy and return its value (blocking).

        Blocks the calling thread: use it only when the bot runs in another thread or
        process; inside an asyncio test use ``await wait_for(...)`` so the bot can run.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"condition not met within {timeout}s\n{self.dump()}")
            time.sleep(interval)

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.01
    ) -> T:
        """Like ``wait_until`` but yields to the event loop, so the bot keeps working."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"condition not met within {timeout}s\n{self.dump()}")
            await asyncio.sleep(interval)

    async def wait_sent(
        self, chat_id: int | str, count: int = 1, timeout: float = 5.0
    ) -> list[JSON]:
        """Wait until the bot delivered at least ``count`` messages/edits to the chat."""

        def enough() -> list[JSON]:
            records = self.sent(chat_id)
            return records if len(records) >= count else []

        return await self.wait_for(enough, timeout)

    # ------------------------------------------------------------------ methods

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._confirmed_offset = max(self._confirmed_offset, offset)
        elif offset < 0:  # "-n": keep the last n updates, forget the rest
            self._updates = self._updates[offset:]

    def _get_updates(self, p: JSON) -> list[JSON]:
        if self._webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm(int(p.get("offset") or 0))
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = float(p.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            if self._updates or self._stopping.is_set():
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._cond.wait(remaining)

    def _target_chat(self, p: JSON) -> JSON:
        chat_id = p.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if isinstance(chat_id, str):
            chat = next(
                (c for c in self._chats.values() if f"@{c.get('username')}" == chat_id), None
            )
        else:
            chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat["id"] in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    @staticmethod
    def _render(text: Any, parse_mode: Any) -> str:
        text = "" if text is None else str(text)
        mode = str(parse_mode or "").lower()
        if mode == "html":
            plain = html_to_plain(text)
        elif mode == "markdownv2":
            plain = check_markdown_v2(text)
        else:
            plain = text
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return plain

    @staticmethod
    def _markup(p: JSON) -> JSON | None:
        markup = p.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if len(button) == 1:  # only "text"
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        return dict(markup)

    def _bot_message(self, chat: JSON, p: JSON, markup: JSON | None, **content: Any) -> JSON:
        message: JSON = {
            "message_id": self._next_id(chat["id"]),
            "from": copy.deepcopy(self.bot_user),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
            **content,
        }
        if p.get("message_thread_id") and chat.get("is_forum"):
            message["message_thread_id"] = int(p["message_thread_id"])
            message["is_topic_message"] = True
        reply_to = (p.get("reply_parameters") or {}).get("message_id") or p.get(
            "reply_to_message_id"
        )
        original = self._messages.get((chat["id"], reply_to)) if reply_to else None
        if original is not None:
            message["reply_to_message"] = copy.deepcopy(original)
        if markup and "inline_keyboard" in markup:  # Telegram echoes only inline keyboards
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = message
        self._last_bot_message[chat["id"]] = message["message_id"]
        return copy.deepcopy(message)

    def _record(self, method: str, p: JSON, message: JSON | bool, markup: JSON | None) -> None:
        msg = message if isinstance(message, dict) else {}
        self._sent.append(
            {
                "method": method,
                "chat_id": msg.get("chat", {}).get("id", p.get("chat_id")),
                "message_id": msg.get("message_id", p.get("message_id")),
                "text": p.get("text"),
                "parse_mode": p.get("parse_mode"),
                "reply_markup": markup,
                "location": msg.get("location"),
                "venue": msg.get("venue"),
                "params": copy.deepcopy(p),
                "message": copy.deepcopy(message),
            }
        )

    def _send_message(self, p: JSON) -> JSON:
        chat = self._target_chat(p)
        plain = self._render(p.get("text"), p.get("parse_mode"))
        markup = self._markup(p)
        message = self._bot_message(chat, p, markup, text=plain)
        self._record("sendMessage", p, message, markup)
        return message

    @staticmethod
    def _location(p: JSON) -> JSON:
        try:
            return {"latitude": float(p["latitude"]), "longitude": float(p["longitude"])}
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: wrong latitude or longitude") from None  # approx.

    def _send_location(self, p: JSON) -> JSON:
        chat = self._target_chat(p)
        location = self._location(p)
        markup = self._markup(p)
        message = self._bot_message(chat, p, markup, location=location)
        self._record("sendLocation", p, message, markup)
        return message

    def _send_venue(self, p: JSON) -> JSON:
        chat = self._target_chat(p)
        location = self._location(p)
        for key in ("title", "address"):
            if not p.get(key):
                raise ApiError(400, f"Bad Request: {key} is empty")  # approximate wording
        venue: JSON = {"location": location, "title": p["title"], "address": p["address"]}
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if p.get(key):
                venue[key] = p[key]
        markup = self._markup(p)
        message = self._bot_message(chat, p, markup, location=location, venue=venue)
        self._record("sendVenue", p, message, markup)
        return message

    def _message_to_edit(self, p: JSON) -> JSON:
        chat = self._target_chat(p)
        message = self._messages.get((chat["id"], p.get("message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if (message.get("from") or {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _edit_message_text(self, p: JSON) -> JSON | bool:
        if p.get("inline_message_id"):
            self._record("editMessageText", p, True, self._markup(p))
            return True
        message = self._message_to_edit(p)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        plain = self._render(p.get("text"), p.get("parse_mode"))
        markup = self._markup(p)
        inline = markup if markup and "inline_keyboard" in markup else None
        if plain == message.get("text") and inline == message.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        return self._apply_edit("editMessageText", p, message, inline, text=plain)

    def _edit_message_reply_markup(self, p: JSON) -> JSON | bool:
        if p.get("inline_message_id"):
            self._record("editMessageReplyMarkup", p, True, self._markup(p))
            return True
        message = self._message_to_edit(p)
        markup = self._markup(p)
        inline = markup if markup and "inline_keyboard" in markup else None
        if inline == message.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        return self._apply_edit("editMessageReplyMarkup", p, message, inline)

    def _apply_edit(
        self, method: str, p: JSON, message: JSON, inline: JSON | None, **content: Any
    ) -> JSON:
        message.update(content)
        message["edit_date"] = int(time.time())
        if inline is None:  # omitting reply_markup removes the keyboard, as on Telegram
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = inline
        self._record(method, p, message, inline)
        return copy.deepcopy(message)

    def _answer_callback_query(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        if self._callback_queries.get(query_id, True):  # unknown or already answered
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(p.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")  # approximate wording
        self._callback_queries[query_id] = True
        return True

    def _send_chat_action(self, p: JSON) -> bool:
        self._target_chat(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        if isinstance(scope, str):
            scope = json.loads(scope)
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _set_my_commands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands are invalid")  # approximate wording
        for command in commands:
            if not _BOT_COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(p.get("scope"), p.get("language_code"))] = commands
        return True

    def _get_my_commands(self, p: JSON) -> list[JSON]:
        key = self._commands_key(p.get("scope"), p.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    def _delete_my_commands(self, p: JSON) -> bool:
        self._commands.pop(self._commands_key(p.get("scope"), p.get("language_code")), None)
        return True

    def _set_text(self, p: JSON, key: str, max_len: int) -> bool:
        value = str(p.get(key) or "")
        if len(value) > max_len:
            raise ApiError(400, f"Bad Request: {key} is too long")  # approximate wording
        store = self._descriptions if key == "description" else self._short_descriptions
        store[str(p.get("language_code") or "")] = value
        return True

    def _get_text(self, p: JSON, key: str) -> JSON:
        store = self._descriptions if key == "description" else self._short_descriptions
        return {key: store.get(str(p.get("language_code") or ""), "")}

    def _get_chat(self, p: JSON) -> JSON:
        """A ChatFullInfo as Telegram gives it (the fields the bot reads, and the required)."""
        chat = copy.deepcopy(self._target_chat(p))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        chat.setdefault("accepted_gift_types", {"unlimited_gifts": False, "limited_gifts": False,
                        "unique_gifts": False, "premium_subscription": False,
                        "gifts_from_channels": False})  # fmt: skip
        return chat

    def make_forum(self, chat_id: int) -> None:
        """Turn a known supergroup into a forum (topics enabled)."""
        with self._cond:
            self._chats[chat_id]["is_forum"] = True

    def _create_forum_topic(self, p: JSON) -> JSON:
        chat = self._target_chat(p)
        if not chat.get("is_forum"):
            raise ApiError(400, "Bad Request: the chat is not a forum")
        name = str(p.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: invalid forum topic name")
        thread = self._next_id(chat["id"])  # a topic's id is the id of its service message
        self.topics.append({"chat_id": chat["id"], "message_thread_id": thread, "name": name})
        return {"message_thread_id": thread, "name": name, "icon_color": 7322096}

    def _set_webhook(self, p: JSON) -> bool:
        self._webhook = {"url": str(p.get("url") or "")}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _delete_webhook(self, p: JSON) -> bool:
        self._webhook = {"url": ""}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, p: JSON) -> JSON:
        return {
            "url": self._webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _get_file(self, p: JSON) -> JSON:
        file_id = str(p.get("file_id") or "")
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(content),
            "file_path": path,
        }
