"""A fake Slack Web API on 127.0.0.1: records every call and answers the way Slack does."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import uvicorn
from starlette.types import ASGIApp

BOT_USER_ID = "U_KHUI_BOT"
BOT_ID = "B_KHUI_BOT"
TEAM_ID = "T111"


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the benchmark opens many connections at once


@dataclass
class Call:
    """One request the fake received: the method (or "response_url"), parameters and answer."""

    method: str
    params: dict[str, Any]
    at: float
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None
    answer: dict[str, Any] | None = None
    data: bytes = b""  # the raw body of a file upload


@dataclass
class Fault:
    """Answer the next `times` calls of `method` badly: ok_false, http_500 or timeout."""

    method: str
    kind: str
    times: int


class FakeSlack:
    """Threaded HTTP server; `base_url` goes into KHUI_SLACK_API_URL, `hook_url` into payloads."""

    def __init__(self, *, timeout_delay: float = 2.0) -> None:
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.timeout_delay = timeout_delay
        self.missing_channels: set[str] = set()  # chat.postMessage answers channel_not_found
        self._changed = threading.Condition()
        self._released = threading.Event()
        self._ts = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = False  # server_close() joins the request threads
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="fake-slack"
        )
        self.port = int(self._server.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}/api/"
        self.hook_url = f"http://127.0.0.1:{self.port}/hooks/"

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # ---- what tests use --------------------------------------------------------------------

    def fail(self, method: str, kind: str, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail (ok_false, http_500 or timeout)."""
        assert kind in ("ok_false", "http_500", "timeout")
        self.faults.append(Fault(method, kind, times))

    def of(self, method: str) -> list[Call]:
        """The calls received so far of one method."""
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `count` calls of `method` arrived; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"{count} x {method} not received; got {seen}")
                self._changed.wait(left)

    def wait_until(self, done: Callable[[list[Call]], bool], timeout: float = 10.0) -> None:
        """Block until `done(calls)` is true; fail otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done(self.calls):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"condition not met; got {len(self.calls)} calls")
                self._changed.wait(left)

    def reset(self) -> None:
        """Forget the calls recorded so far."""
        with self._changed:
            self.calls.clear()

    # ---- the server ------------------------------------------------------------------------

    def _record(self, call: Call) -> Call:
        with self._changed:
            for fault in self.faults:
                if fault.method == call.method and fault.times > 0:
                    fault.times -= 1
                    call.fault = fault.kind
                    break
            if call.fault is None and call.method != "response_url":
                call.answer = self._answer(call.method, call.params)
            self.calls.append(call)
            self._changed.notify_all()
        return call

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://khui-test.slack.com/",
                "team": "khui test",
                "user": "khui",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = f"{1700000000 + next(self._ts)}.000100"
            channel = params.get("channel", "")
            if channel in self.missing_channels:
                return {"ok": False, "error": "channel_not_found"}
            message = {"type": "message", "ts": ts, "text": params.get("text", "")}
            message["blocks"] = params.get("blocks", [])
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method in ("views.open", "views.update", "views.push"):
            view = params.get("view") or {}
            if isinstance(view, str):
                view = json.loads(view)
            return {"ok": True, "view": {**view, "id": f"V{next(self._ts):06d}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            root = self.base_url.removesuffix("/api/")
            return {"ok": True, "upload_url": f"{root}/upload/v1/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files") or "[]"
            listed = json.loads(files) if isinstance(files, str) else files
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in listed]}
        if method.startswith("files."):
            return {"ok": True, "file": {"id": f"F{next(self._ts):06d}"}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D_{params.get('users', '')}"}}
        return {"ok": True}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                url = urlsplit(self.path)
                path = url.path
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/upload/"):  # step 2 of files_upload_v2: the file's bytes
                    upload = fake._record(
                        Call("file.upload", {"_path": path}, time.monotonic(), headers, data=body)
                    )
                    self._send(500 if upload.fault else 200, None)  # Slack answers "OK - N"
                    return
                raw = body.decode("utf-8")
                kind = self.headers.get("Content-Type", "")
                if "json" in kind:
                    params: dict[str, Any] = json.loads(raw or "{}")
                else:
                    params = {k: v[-1] for k, v in parse_qs(raw).items()}
                params |= {k: v[-1] for k, v in parse_qs(url.query).items()}
                if path.startswith("/api/"):
                    method = path.removeprefix("/api/")
                else:
                    method = "response_url"
                    params["_path"] = path
                call = fake._record(Call(method, params, time.monotonic(), headers))
                if call.fault == "timeout":
                    fake._released.wait(fake.timeout_delay)
                    self._send(200, {"ok": True, "late": True})
                elif call.fault == "http_500":
                    self._send(500, {"ok": False, "error": "internal_error"})
                elif call.fault == "ok_false":
                    self._send(200, {"ok": False, "error": "internal_error"})
                else:
                    self._send(200, call.answer)

            def _send(self, status: int, payload: dict[str, Any] | None) -> None:
                body = b"ok" if payload is None else json.dumps(payload).encode()
                kind = "text/plain" if payload is None else "application/json; charset=utf-8"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free local port, in a thread; yields its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn")
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
