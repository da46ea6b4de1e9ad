"""A fake LINE Messaging API on 127.0.0.1: records every call and answers the way LINE does."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

ACCESS_TOKEN = "khui-test-line-access-token"
PROFILE = re.compile(r"^/v2/bot/profile/(?P<user>[^/]+)$")
RICH_MENU_IMAGE = re.compile(r"^/v2/bot/richmenu/(?P<menu>[^/]+)/content$")
DEFAULT_RICH_MENU = re.compile(r"^/v2/bot/user/all/richmenu/(?P<menu>[^/]+)$")
MESSAGE_CALLS = {
    "/v2/bot/message/reply": "reply",
    "/v2/bot/message/push": "push",
    "/v2/bot/message/multicast": "multicast",
}


@dataclass
class Call:
    """One request the fake received: its kind, path, JSON body (or raw bytes) and answer."""

    kind: str
    path: str
    body: Any
    headers: dict[str, str]
    at: float
    status: int = 200
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The LINE messages a reply, push or multicast carried."""
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []


def problems(messages: Any) -> list[str]:
    """What LINE would refuse in a message list (a few of its documented limits)."""
    found: list[str] = []
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return ["messages must hold 1 to 5 messages"]
    for i, message in enumerate(messages):
        kind = message.get("type")
        if kind == "text":
            if not 1 <= len(message.get("text", "")) <= 5000:
                found.append(f"messages[{i}].text must be 1-5000 characters")
        elif kind == "flex":
            if not 1 <= len(message.get("altText", "")) <= 400:
                found.append(f"messages[{i}].altText must be 1-400 characters")
            if message.get("contents", {}).get("type") not in ("bubble", "carousel"):
                found.append(f"messages[{i}].contents must be a bubble or a carousel")
            found.extend(_flex_problems(message.get("contents"), f"messages[{i}].contents"))
        else:
            found.append(f"messages[{i}].type {kind!r} is not sent by khui")
        items = (message.get("quickReply") or {}).get("items", [])
        if len(items) > 13:
            found.append(f"messages[{i}].quickReply has more than 13 items")
        for j, item in enumerate(items):
            action = item.get("action", {})
            if not 1 <= len(action.get("label", "")) <= 20:
                found.append(f"messages[{i}].quickReply.items[{j}].label must be 1-20 chars")
            if len(action.get("data", "")) > 300:
                found.append(f"messages[{i}].quickReply.items[{j}].data is over 300 chars")
    return found


def _flex_problems(node: Any, where: str) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "text" and not node.get("text"):
            found.append(f"{where}: a text component needs text")
        if node.get("type") == "carousel" and len(node.get("contents", [])) > 12:
            found.append(f"{where}: a carousel holds at most 12 bubbles")
        for key, value in node.items():
            found.extend(_flex_problems(value, f"{where}.{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_flex_problems(value, f"{where}[{i}]"))
    return found


class FakeLine:
    """Threaded HTTP server; `base_url` goes into KHUI_LINE_API_URL."""

    def __init__(self, *, profiles: dict[str, str] | None = None) -> None:
        self.calls: list[Call] = []
        self.profiles = dict(profiles or {})
        self.expired_tokens: set[str] = set()
        self.used_tokens: set[str] = set()
        self.retry_keys: set[str] = set()
        self.push_failures = 0
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self._connections: set[socket.socket] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = False  # server_close() joins the request threads
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="fake-line"
        )
        self.port = int(self._server.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeLine:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        with self._changed:
            idle = list(self._connections)
        for sock in idle:  # end keep-alive connections the client still holds open
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # ---- what tests use --------------------------------------------------------------------

    def expire(self, reply_token: str) -> None:
        """Make LINE refuse this reply token (as after a minute, or once used)."""
        with self._changed:
            self.expired_tokens.add(reply_token)

    def of(self, kind: str) -> list[Call]:
        """The calls received so far of one kind (reply, push, profile, richmenu...)."""
        with self._changed:
            return [c for c in self.calls if c.kind == kind]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `count` calls of `kind` arrived; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.kind == kind]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.kind for c in self.calls]
                    raise AssertionError(f"{count} x {kind} not received; got {seen}")
                self._changed.wait(left)

    def wait_until(self, kind: str, test: Callable[[Call], bool], timeout: float = 10.0) -> Call:
        """Block until a call of `kind` passes `test`; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for call in self.calls:
                    if call.kind == kind and test(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.kind, c.status) for c in self.calls]
                    raise AssertionError(f"no matching {kind} call; got {seen}")
                self._changed.wait(left)

    def reset(self) -> None:
        """Forget the calls recorded so far."""
        with self._changed:
            self.calls.clear()

    # ---- the answers -------------------------------------------------------------------------

    def _sent(self, count: int) -> dict[str, Any]:
        return {
            "sentMessages": [
                {"id": str(460000000000 + next(self._ids)), "quoteToken": f"q{next(self._ids)}"}
                for _ in range(count)
            ]
        }

    def _answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        """LINE's status and body for a call (run with the lock held)."""
        if call.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return 401, {"message": "Authentication failed. Confirm that the access token..."}
        body = call.body if isinstance(call.body, dict) else {}
        if call.kind in ("reply", "push", "multicast"):
            errors = problems(body.get("messages"))
            if errors:
                details = [{"message": e, "property": "messages"} for e in errors]
                return 400, {"message": "The request body has errors", "details": details}
        if call.kind == "reply":
            token = str(body.get("replyToken", ""))
            if token in self.expired_tokens or token in self.used_tokens or not token:
                return 400, {"message": "Invalid reply token"}
            self.used_tokens.add(token)
            return 200, self._sent(len(body["messages"]))
        if call.kind == "push":
            key = call.headers.get("x-line-retry-key")
            if self.push_failures > 0:
                self.push_failures -= 1
                return 500, {"message": "An error occurred in the internal server"}
            if key and key in self.retry_keys:
                return 409, {"message": "The retry key is already accepted"}
            if key:
                self.retry_keys.add(key)
            return 200, self._sent(len(body["messages"]))
        if call.kind == "multicast":
            recipients = body.get("to") or []
            if not 1 <= len(recipients) <= 500:
                return 400, {"message": "The request body has 1 error(s)", "details": ["to: size"]}
            key = call.headers.get("x-line-retry-key")
            if key and key in self.retry_keys:
                return 409, {"message": "The retry key is already accepted"}
            if key:
                self.retry_keys.add(key)
            return 200, {}
        if call.kind == "profile":
            user = PROFILE.match(call.path)
            name = self.profiles.get(user.group("user")) if user else None
            if name is None:
                return 404, {"message": "Not found"}
            return 200, {
                "userId": user.group("user") if user else "",
                "displayName": name,
                "pictureUrl": "https://profile.line-scdn.net/abc",
                "language": "th",
            }
        if call.kind == "richmenu.create":
            return 200, {"richMenuId": f"richmenu-{next(self._ids):032d}"}
        if call.kind in ("richmenu.image", "richmenu.default"):
            return 200, {}
        return 404, {"message": "Not found"}

    def _record(self, call: Call) -> Call:
        with self._changed:
            call.status, call.answer = self._answer(call)
            self.calls.append(call)
            self._changed.notify_all()
        return call

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with fake._changed:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._changed:
                    fake._connections.discard(self.connection)
                super().finish()

            def _call(self, kind: str, body: Any) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = urlsplit(self.path).path
                call = fake._record(Call(kind, path, body, headers, time.monotonic()))
                payload = json.dumps(call.answer).encode()
                self.send_response(call.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                self._call("profile" if PROFILE.match(path) else "unknown", None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                path = urlsplit(self.path).path
                if RICH_MENU_IMAGE.match(path):
                    self._call("richmenu.image", raw)
                    return
                body: Any = json.loads(raw or b"{}") if raw else {}
                if path in MESSAGE_CALLS:
                    kind = MESSAGE_CALLS[path]
                elif path == "/v2/bot/richmenu":
                    kind = "richmenu.create"
                elif DEFAULT_RICH_MENU.match(path):
                    kind = "richmenu.default"
                else:
                    kind = "unknown"
                self._call(kind, body)

        return Handler
