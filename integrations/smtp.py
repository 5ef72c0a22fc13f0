"""Sending mail through an SMTP server named by one URL (``SMTP_URL``).

* ``smtp://host:port`` — plain SMTP, upgraded with STARTTLS whenever the server offers it
  (certificate and host name verified). Port 25 by default; 587 is the usual submission port.
* ``smtps://host:port`` — TLS from the first byte (port 465 by default).
* ``user:password@`` — log in. Credentials are never sent over an unencrypted connection,
  except to a loopback address (a local relay or a test server).
* ``?timeout=SECONDS`` — socket timeout (default 20).

One connection carries a whole batch; each message succeeds or fails on its own.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TIMEOUT_S = 20.0


class SmtpConfigError(ValueError):
    """``SMTP_URL`` cannot be used as written."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read ``smtp://user:pass@host:port`` or ``smtps://…``; ``SmtpConfigError`` if unusable."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpConfigError("SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise SmtpConfigError("SMTP_URL needs a host name")
    implicit_tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit_tls else 25)
    except ValueError:
        raise SmtpConfigError("SMTP_URL has an invalid port") from None
    query = parse_qs(parts.query)
    try:
        timeout = float(query.get("timeout", [DEFAULT_TIMEOUT_S])[0])
    except ValueError:
        raise SmtpConfigError("SMTP_URL timeout must be a number of seconds") from None
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        implicit_tls=implicit_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
    )


@dataclass(frozen=True)
class SendResult:
    """What happened to one message: ``error`` is None when the server accepted it."""

    message: EmailMessage
    error: str | None


class SmtpSender:
    """Sends batches of ``EmailMessage`` over one connection per batch."""

    def __init__(self, settings: SmtpSettings, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.context = context or ssl.create_default_context()

    @contextmanager
    def _connection(self) -> Iterator[smtplib.SMTP]:
        s = self.settings
        client: smtplib.SMTP
        if s.implicit_tls:
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self.context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            client.ehlo()
            encrypted = s.implicit_tls
            if not encrypted and client.has_extn("starttls"):
                client.starttls(context=self.context)
                client.ehlo()
                encrypted = True
            if s.username is not None:
                if not encrypted and not s.loopback:
                    raise SmtpConfigError(
                        "refusing to send SMTP credentials over an unencrypted connection"
                    )
                client.login(s.username, s.password or "")
            yield client
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    def send(self, messages: Iterable[EmailMessage]) -> list[SendResult]:
        """Send every message; a connection failure marks all remaining ones as failed."""
        pending = list(messages)
        results: list[SendResult] = []
        if not pending:
            return results
        try:
            with self._connection() as client:
                for message in pending:
                    try:
                        refused = client.send_message(message)
                    except smtplib.SMTPServerDisconnected:
                        raise
                    except (smtplib.SMTPException, OSError) as exc:
                        results.append(SendResult(message, _describe(exc)))
                        continue
                    error = None
                    if refused:
                        error = "refused recipients: " + ", ".join(sorted(refused))
                    results.append(SendResult(message, error))
        except (smtplib.SMTPException, OSError, SmtpConfigError) as exc:
            reason = _describe(exc)
            done = {id(r.message) for r in results}
            results.extend(SendResult(m, reason) for m in pending if id(m) not in done)
        return results


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
