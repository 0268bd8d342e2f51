#!/usr/bin/python3
"""An SMTP server that greets, answers EHLO, and then never answers again (not even QUIT).

Prints its loopback port once it listens; serves until its standard input closes.
"""
import os
import socket
import sys
import threading


def serve(connection):
    with connection:
        connection.sendall(b"220 mute.test ESMTP\r\n")
        buffer = b""
        while True:
            data = connection.recv(4096)
            if not data:
                return
            buffer += data
            while b"\r\n" in buffer:
                line, buffer = buffer.split(b"\r\n", 1)
                if line.upper().startswith((b"EHLO", b"HELO")):
                    connection.sendall(b"250-mute.test\r\n250 8BITMIME\r\n")
                # Anything else (QUIT included) gets no answer.


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


if __name__ == "__main__":
    main()
