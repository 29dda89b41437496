"""POST to a callback URL over a connection to one address chosen beforehand (see ``callback_policy``).

Why not urllib: it resolves the host name again when it connects, which reopens the DNS-rebinding
gap the callback guard closes, and it follows redirects, which would let a subscriber bounce the
request to an address the guard never saw. Here the socket goes to the checked address, the Host
header and the TLS certificate check keep the URL's host name, and a redirect is just its status.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from urllib.parse import urlsplit


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to ``address``; ``host`` only names the server."""

    def __init__(self, host: str, port: int | None, address: str, timeout_s: float) -> None:
        super().__init__(host, port, timeout=timeout_s)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to ``address``, with the certificate checked against ``host`` (SNI as well)."""

    def __init__(self, host: str, port: int | None, address: str, timeout_s: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout_s, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post_to_address(url: str, address: str, body: bytes, headers: dict[str, str], timeout_s: float) -> int:
    """POST ``body`` to ``url`` via ``address``; returns the status code. Raises OSError when nothing
    (or nothing that speaks HTTP) answered."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(host, parts.port, address, timeout_s, ssl.create_default_context())
    else:
        connection = _PinnedHTTPConnection(host, parts.port, address, timeout_s)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        return int(connection.getresponse().status)
    except http.client.HTTPException as error:  # not an OSError: a garbled answer counts as none
        raise OSError(f"bad HTTP answer from {host}: {type(error).__name__}") from error
    finally:
        connection.close()
