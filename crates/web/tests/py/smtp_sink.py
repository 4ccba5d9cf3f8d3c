"""A real SMTP server (aiosmtpd) for Pledge's delivery tests.

Usage: smtp_sink.py MODE   where MODE is accept, refuse550 or refuse451.
Listens on a free loopback port and prints one JSON line per event on
stdout: first {"port": N}, then for every message {"accepted": bool,
"rcpt": [...], "subject": ..., "body": ..., "code": ...}.
"""

import asyncio
import email
import email.policy
import json
import sys

from aiosmtpd.smtp import SMTP


def emit(obj):
    print(json.dumps(obj, ensure_ascii=False), flush=True)


class Handler:
    def __init__(self, mode):
        self.mode = mode

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
        reply = {"accept": "250 OK", "refuse550": "550 5.1.1 mailbox unavailable", "refuse451": "451 4.3.0 try again later"}[self.mode]
        emit({
            "accepted": reply.startswith("250"),
            "code": int(reply[:3]),
            "mail_from": envelope.mail_from,
            "rcpt": list(envelope.rcpt_tos),
            "subject": str(msg["subject"]),
            "body": body.strip(),
        })
        return reply


async def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "accept"
    handler = Handler(mode)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="sink.test"), host="127.0.0.1", port=0)
    emit({"port": server.sockets[0].getsockname()[1]})
    # Stop when the test closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
