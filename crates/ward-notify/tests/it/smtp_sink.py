"""A local SMTP sink for ward-notify's email tests, on aiosmtpd (PyPI).

Usage: smtp_sink.py OUT_DIR USER PASSWORD [CERT_PEM KEY_PEM]

Listens on 127.0.0.1 on a free port and prints "PORT <n>" once ready. Requires AUTH with
USER/PASSWORD before MAIL. With a certificate and key it offers STARTTLS and requires it.
Each accepted message is written to OUT_DIR as NNNN.eml (the raw message) and NNNN.json: the
envelope, whether the session was authenticated and encrypted, and the message as Python's
email parser reads it (subject, addresses, and every non-multipart part with its content type
and decoded text), so the Rust test checks what a mail client would see.
Runs until its standard input closes (the test holds it open, so the sink ends with the test
even if the test process dies).
"""

import asyncio
import email
import email.policy
import json
import pathlib
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Saver:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = self.out / f"{self.count:04d}"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = [
            {"content_type": part.get_content_type(), "text": part.get_content()}
            for part in message.walk()
            if not part.is_multipart()
        ]
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "authenticated": bool(session.authenticated),
            "login": (session.login_data or b"").decode(),
            "tls": session.ssl is not None,
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "content_type": message.get_content_type(),
            "parts": parts,
        }
        # The JSON is written last and atomically: its presence means the message is complete.
        base.with_suffix(".eml").write_bytes(raw)
        tmp = base.with_suffix(".tmp")
        tmp.write_text(json.dumps(summary, indent=2))
        tmp.rename(base.with_suffix(".json"))
        return "250 Message accepted for delivery"


def main():
    out = pathlib.Path(sys.argv[1])
    user, password = sys.argv[2].encode(), sys.argv[3].encode()
    tls_context = None
    if len(sys.argv) > 5:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(sys.argv[4], sys.argv[5])

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user
            and auth_data.password == password
        )
        # handled=False: on failure aiosmtpd itself answers 535.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    handler = Saver(out)

    def factory():
        return SMTP(
            handler,
            hostname="ward-test-sink",
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=tls_context is not None,
            tls_context=tls_context,
            require_starttls=tls_context is not None,
        )

    async def serve():
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        loop = asyncio.get_running_loop()
        async with server:
            await loop.run_in_executor(None, sys.stdin.buffer.read)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
