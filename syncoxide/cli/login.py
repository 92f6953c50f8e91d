"""Commands that talk to a syncoxide server: ``login``, ``whoami``, ``events``.

Every such command takes ``--server URL`` and ``--token TOKEN``; without them it uses
``SYNCOXIDE_SERVER`` / ``SYNCOXIDE_TOKEN``, then what ``syncoxide login`` saved in
``<config dir>/credentials.json`` (mode 0600; ``SYNCOXIDE_CONFIG_DIR`` moves it).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.server
import json
import random
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from syncoxide.automation.backoff import retry_delay
from syncoxide.errors import AuthenticationError, TransportError, UsageError
from syncoxide.native.remotes.server_credentials import (
    check_server_url,
    save_token,
    server_and_token,
)

EXIT_OK = 0
LOGIN_WAIT_SECONDS = 300


def register(commands: Any) -> None:
    login = commands.add_parser("login", help="get an API token for a server through the browser")
    login.add_argument(
        "--server", required=True, help="the server's address, e.g. http://host:8000"
    )
    login.add_argument(
        "--no-browser",
        action="store_true",
        help="print the address to open anywhere and paste the code shown there",
    )
    login.set_defaults(run=_login)

    whoami = commands.add_parser("whoami", help="show who the saved or given token acts as")
    add_server_options(whoami)
    whoami.set_defaults(run=_whoami)

    events = commands.add_parser("events", help="print your live notifications")
    add_server_options(events)
    events.add_argument("--after", type=int, default=0, help="start after this event id")
    events.add_argument("--follow", action="store_true", help="keep listening (Ctrl-C stops)")
    events.set_defaults(run=_events)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", help="server address (default: $SYNCOXIDE_SERVER or login)")
    parser.add_argument("--token", help="API token (default: $SYNCOXIDE_TOKEN or login)")


def resolve_server(args: argparse.Namespace) -> tuple[str, str]:
    return server_and_token(args.server, args.token)


def call_api(
    server: str, token: str | None, method: str, path: str, *, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    url = f"{server}/api/v1{path}"  # server was checked to be http(s) by _check_server_url
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read() or b"{}")
            return answer
    except urllib.error.HTTPError as error:
        try:
            message = json.loads(error.read())["message"]
        except (ValueError, KeyError):
            message = f"HTTP {error.code}"
        if error.code == 401:
            raise AuthenticationError(
                f"{server} refused the token: {message}", hint="Run `syncoxide login` again."
            ) from error
        raise UsageError(f"{server} answered: {message}") from error
    except (urllib.error.URLError, OSError) as error:
        raise TransportError(
            f"Could not reach {server}: {error}.",
            hint="Check the address and that the server is running.",
        ) from error


def _login(args: argparse.Namespace) -> int:
    server = check_server_url(args.server)
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    if args.no_browser:
        asked = _ask(server, challenge, port=0)
        print(
            f"Open this address in a browser, sign in and type the code {asked['user_code']}:\n"
            f"  {server}{asked['approve_url']}"
        )
        code = input("Then paste the code shown there: ").strip()
    else:
        code = _code_through_loopback(server, challenge)
    token = call_api(
        server, None, "POST", "/cli-login/token", body={"code": code, "verifier": verifier}
    )["token"]
    me = call_api(server, token, "GET", "/me")
    path = save_token(server, token)
    print(f"Signed in to {server} as {me['user']['name']}. Token saved in {path}.")
    return EXIT_OK


def _ask(server: str, challenge: str, port: int) -> dict[str, Any]:
    """File the sign-in request: the browser page shows this device and asks for the code."""
    body = {"challenge": challenge, "port": port, "device": socket.gethostname()}
    return call_api(server, None, "POST", "/cli-login/start", body=body)


def _code_through_loopback(server: str, challenge: str) -> str:
    received: dict[str, str] = {}
    done = threading.Event()

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            if urlsplit(self.path).path == "/callback" and "code" in query:
                received["code"] = query["code"][0]
                done.set()
                self._answer(200, "Signed in. You can close this tab and go back to the terminal.")
            else:
                self._answer(404, "Nothing here.")

        def _answer(self, status: int, text: str) -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the code in the query must not end up on the terminal

    listener = http.server.HTTPServer(("127.0.0.1", 0), Callback)
    port = listener.server_address[1]
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    try:
        asked = _ask(server, challenge, port)
        url = f"{server}{asked['approve_url']}"
        print(
            f"Your browser asks for this code: {asked['user_code']}\n"
            f"Opening it to approve this computer. If it does not open, visit:\n  {url}",
            flush=True,
        )
        webbrowser.open(url)
        if not done.wait(LOGIN_WAIT_SECONDS):
            raise UsageError("Nobody approved the sign-in in time. Nothing was saved.")
    finally:
        listener.shutdown()
    return received["code"]


def _whoami(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    me = call_api(server, token, "GET", "/me")["user"]
    print(f"{me['name']} ({me['display_name']}) on {server}")
    return EXIT_OK


def _events(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    try:
        for event in follow_events(server, token, args.after, follow=args.follow):
            print(json.dumps(event), flush=True)
    except KeyboardInterrupt:
        return 130
    return EXIT_OK


def follow_events(
    server: str, token: str, after: int, *, follow: bool, max_backoff: float = 30.0
) -> Iterator[dict[str, Any]]:
    """Events after ``after``; with ``follow``, reconnects (with backoff) and resumes from the
    last id seen, so a dropped connection loses nothing."""
    from websockets.exceptions import ConnectionClosed, InvalidStatus
    from websockets.sync.client import connect

    ws_url = "ws" + server.removeprefix("http") + "/api/v1/events/live"
    attempt = 0
    while True:
        try:
            with connect(
                f"{ws_url}?after={after}", additional_headers={"Authorization": f"Bearer {token}"}
            ) as socket:
                attempt = 0
                for raw in socket:
                    message = json.loads(raw)
                    if message["type"] == "event":
                        after = message["id"]
                        yield message
                    elif message["type"] == "caught_up" and not follow:
                        return
        except InvalidStatus as error:
            raise AuthenticationError(
                f"{server} refused the token for live events.", hint="Run `syncoxide login` again."
            ) from error
        except (ConnectionClosed, OSError) as error:
            if not follow:
                raise TransportError(f"Lost the connection to {server}: {error}.") from error
        attempt += 1
        jitter = random.random()  # noqa: S311 - spreads reconnects, guards nothing
        backoff = retry_delay(attempt, jitter, base=0.5, cap=max_backoff)
        print(f"syncoxide: reconnecting in {backoff:.1f} s...", file=sys.stderr, flush=True)
        time.sleep(backoff)
