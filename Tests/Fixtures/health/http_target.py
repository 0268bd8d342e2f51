#!/usr/bin/python3
"""A local HTTP target for healthd's probe tests, on a free loopback port.

Prints the port on its first line once it listens, then serves until its standard input
closes (the test process went away) or it is killed. Paths:

  /ok              200 "ok"
  /down            503 "maintenance"
  /slow?ms=N       200 "slow" after N milliseconds
  /wrong           200 with a body that is not the expected one
  /json            200 application/json {"status": "ok", "data": {"version": "1.2", "healthy": true, "items": [{"name": "db"}]}}
  /hold            accepts the request and never answers (until the test ends)
  anything else    404
"""
import http.server
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse

JSON_BODY = json.dumps({"status": "ok", "data": {"version": "1.2", "healthy": True, "items": [{"name": "db"}]}}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="text/plain; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/ok":
            self.reply(200, b"ok\n")
        elif url.path == "/down":
            self.reply(503, b"maintenance\n")
        elif url.path == "/slow":
            time.sleep(int(query.get("ms", ["1000"])[0]) / 1000)
            self.reply(200, b"slow\n")
        elif url.path == "/wrong":
            self.reply(200, b"<html><body>Default web page</body></html>\n", "text/html")
        elif url.path == "/json":
            self.reply(200, JSON_BODY, "application/json")
        elif url.path == "/hold":
            threading.Event().wait()
        else:
            self.reply(404, b"no such page\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 512


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    # Gone as soon as the test process is: its standard input closes then.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
