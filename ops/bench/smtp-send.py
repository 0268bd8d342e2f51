#!/usr/bin/env python3
"""Send the messages of a JSON file to a local SMTP server; print the seconds the sending took.

    smtp-send.py --port N --messages FILE [--mode smtplib|pipelined|parallel4]

FILE is a JSON array of {"from", "to", "message"} (the message with CRLF line endings), as
SwitchboardBench's mail-notify benchmark writes it. Reading the file is not timed; connecting,
EHLO, every transaction and QUIT are.

  smtplib    python's smtplib over one connection (the reference of issue 6's benchmark)
  pipelined  one connection, MAIL/RCPT/DATA sent as one group (RFC 2920 PIPELINING):
             two round trips a message instead of four
  parallel4  smtplib over four connections at once, the messages dealt out in turn
"""
import argparse
import json
import socket
import smtplib
import sys
import threading
import time

HELO = "bench.test"


def send_smtplib(port, messages):
    with smtplib.SMTP("127.0.0.1", port, local_hostname=HELO) as client:
        for item in messages:
            refused = client.sendmail(item["from"], [item["to"]], item["body"])
            if refused:
                raise SystemExit(f"smtp-send: refused recipients {refused}")


class Replies:
    """Reads SMTP replies (possibly multi-line) from a socket."""

    def __init__(self, sock):
        self.file = sock.makefile("rb")

    def read(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise SystemExit("smtp-send: the server closed the connection")
            lines.append(line)
            if line[3:4] != b"-":
                return int(line[:3]), b"".join(lines)


def send_pipelined(port, messages):
    sock = socket.create_connection(("127.0.0.1", port))
    replies = Replies(sock)
    expect(replies.read(), 220)
    sock.sendall(f"EHLO {HELO}\r\n".encode())
    code, text = replies.read()
    expect((code, text), 250)
    if b"PIPELINING" not in text.upper():
        raise SystemExit("smtp-send: the server does not offer PIPELINING")
    for item in messages:
        sock.sendall(f"MAIL FROM:<{item['from']}>\r\nRCPT TO:<{item['to']}>\r\nDATA\r\n".encode())
        expect(replies.read(), 250)
        expect(replies.read(), 250)
        expect(replies.read(), 354)
        sock.sendall(item["stuffed"])
        expect(replies.read(), 250)
    sock.sendall(b"QUIT\r\n")
    replies.read()
    sock.close()


def expect(reply, code):
    if reply[0] != code:
        raise SystemExit(f"smtp-send: expected {code}, got {reply[1]!r}")


def send_parallel(port, messages, connections=4):
    errors = []

    def worker(part):
        try:
            send_smtplib(port, part)
        except BaseException as error:  # reported after join
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(messages[index::connections],)) for index in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"smtp-send: {errors[0]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--messages", required=True)
    parser.add_argument("--mode", choices=["smtplib", "pipelined", "parallel4"], default="smtplib")
    args = parser.parse_args()
    with open(args.messages, encoding="utf-8") as file:
        messages = json.load(file)
    for item in messages:
        item["body"] = item["message"].encode("utf-8")
        # Dot-stuffing (RFC 5321 4.5.2) and the end-of-data line, for the raw pipelined client.
        lines = item["body"].split(b"\r\n")
        item["stuffed"] = b"\r\n".join(b"." + line if line.startswith(b".") else line for line in lines).rstrip(b"\r\n") + b"\r\n.\r\n"
    start = time.perf_counter()
    {"smtplib": send_smtplib, "pipelined": send_pipelined, "parallel4": send_parallel}[args.mode](args.port, messages)
    print(f"{time.perf_counter() - start:.4f}")


if __name__ == "__main__":
    sys.exit(main())
