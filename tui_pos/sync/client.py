"""HTTP calls to the store server's ``/v1`` API with short timeouts and plain messages."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
from typing import Any

API = "v1"
TIMEOUT_S = 5.0


class SyncError(Exception):
    """The server refused (``code`` its word, e.g. ``conflict``) or was not reached
    (``code`` = ``offline``). The message is for the screen as it is."""

    def __init__(self, code: str, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail or {}


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SyncError("usage", f"{url!r} is not a server address like http://host:8740")
    return url.rstrip("/")


class ServerClient:
    def __init__(self, url: str, token: str = "", timeout: float = TIMEOUT_S) -> None:
        self.url = check_url(url)
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        # urllib.request brings http.client and the email package (1.1 MB): a till that
        # is not enrolled with a store server never calls, so never loads them.
        import urllib.request

        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        request = urllib.request.Request(f"{self.url}/{API}/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc) from None
        except (OSError, ValueError) as exc:  # refused, timed out, cut, reset
            raise SyncError("offline", f"server {self.url} not reachable ({exc})") from None
        try:
            result = json.loads(raw)
        except ValueError:
            raise SyncError(
                "offline", f"server {self.url} sent an answer that is not JSON"
            ) from None
        if not isinstance(result, dict):
            raise SyncError("offline", f"server {self.url} sent an unexpected answer")
        return result

    def _refusal(self, exc: urllib.error.HTTPError) -> SyncError:
        try:
            data = json.loads(exc.read())
        except (OSError, ValueError):
            data = None
        if not isinstance(data, dict) or "message" not in data:
            if exc.code >= 500 and exc.code != 501:  # 501: it does not know our requests
                return SyncError("offline", f"server {self.url} failed (HTTP {exc.code})")
            return SyncError(
                "version",
                f"{self.url} does not answer like a tui-pos server with API {API} "
                f"(HTTP {exc.code})",
            )
        code = str(data.get("error", "refused"))
        if code == "unavailable":
            code = "offline"
        return SyncError(code, str(data["message"]), data)

    def enroll(self, code: str) -> dict[str, Any]:
        return self.call("POST", "enroll", {"code": code})

    def push(self, store: str, till: str, documents: list[dict[str, Any]]) -> dict[str, Any]:
        return self.call("POST", "push", {"store": store, "till": till, "documents": documents})

    def push_customers(self, documents: list[dict[str, Any]]) -> dict[str, Any]:
        """Customer documents this till changed -> the server's merged records."""
        return self.call("POST", "customers", {"documents": documents})

    def head(self) -> dict[str, Any]:
        return self.call("GET", "head")

    def changes(self, after: str, limit: int = 1000) -> dict[str, Any]:
        query = urllib.parse.urlencode({"after": after, "limit": limit})
        return self.call("GET", f"changes?{query}")

    def returnable(self, document: str) -> dict[str, Any]:
        """What is left to return of a document sold elsewhere (a web order, another till)."""
        return self.call("GET", f"returns?{urllib.parse.urlencode({'document': document})}")

    def claim(self, document: str, claim: str, lines: list[dict[str, int]]) -> dict[str, Any]:
        """Take back lines of a document sold elsewhere (refused: ``over_return``)."""
        return self.call(
            "POST", "returns/claim", {"document": document, "claim": claim, "lines": lines}
        )

    def release(self, claim: str) -> dict[str, Any]:
        """Give back this till's claim of return lines that were not returned after all."""
        return self.call("POST", "returns/release", {"claim": claim})


def refusal_text(exc: Exception) -> str | None:
    """A server refusal as the cashier reads it (None: not the server's error)."""
    if not isinstance(exc, SyncError):
        return None
    if exc.code == "offline":
        return "The store server is not reachable: only this till's own sales can be returned"
    return str(exc)
