#!/usr/bin/python3
"""Verify the DKIM signatures of one message, independently of Switchboard and OpenDKIM.

    /usr/bin/python3 verify.py --dns HOST:PORT FILE

Prints one line per DKIM-Signature header field, in the order they appear:
    pass d=DOMAIN s=SELECTOR a=ALGORITHM
    fail d=DOMAIN s=SELECTOR a=ALGORITHM: REASON
and "none" when the message has no DKIM-Signature. Exit status: 0 when there is at least one
signature and every one passes, 1 otherwise, 2 on bad usage (or a FILE that cannot be read).

The verifier is Debian's python3-dkim (dkimpy); Ed25519 keys need python3-nacl. Run it with
Debian's /usr/bin/python3: a pyenv python3 on PATH has neither. Public keys are asked for over
DNS at HOST:PORT only (a test's DNS server, UDP then TCP when the answer is truncated): never
the system's resolver, so a test cannot pass on records it did not publish.
"""

import argparse
import logging
import re
import sys

try:
    import dkim
    import dkim.util
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype
except ImportError as missing:  # pragma: no cover - depends on the host
    print(f"verify.py: {missing}: install python3-dkim and python3-dnspython (make deps) and run "
          "it with /usr/bin/python3", file=sys.stderr)
    sys.exit(2)

TIMEOUT_SECONDS = 5.0


class Resolver:
    """TXT lookups at one DNS server, in the shape dkimpy's dnsfunc wants."""

    def __init__(self, host, port):
        self.host = host
        self.port = port

    def __call__(self, name, timeout=TIMEOUT_SECONDS):
        if isinstance(name, bytes):
            name = name.decode("ascii")
        query = dns.message.make_query(name, dns.rdatatype.TXT)
        try:
            reply, _ = dns.query.udp_with_fallback(query, self.host, timeout=timeout, port=self.port)
        except dns.exception.Timeout:
            raise dkim.DnsTimeoutError(f"no answer from {self.host}:{self.port} within {timeout:g} s for {name}")
        except OSError as error:
            raise dkim.DnsTimeoutError(f"cannot ask {self.host}:{self.port} for {name}: {error}")
        if reply.rcode() != dns.rcode.NOERROR:
            return None
        records = []
        for rrset in reply.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                records.extend(b"".join(rdata.strings) for rdata in rrset)
        # A name with several TXT records: the DKIM key is the one that looks like one.
        for record in records:
            if record.startswith(b"v=DKIM1") or b"p=" in record:
                return record
        return records[0] if records else None


class Reasons(logging.Handler):
    """Collects what dkimpy logs as an error while it verifies (why a key was unusable)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def server(text):
    match = re.fullmatch(r"\[?([0-9A-Fa-f:.]+)\]?:([0-9]{1,5})", text)
    if not match or not 0 < int(match.group(2)) < 65536:
        raise argparse.ArgumentTypeError(f"--dns wants HOST:PORT with a numeric address (127.0.0.1:18053), not {text!r}")
    return match.group(1), int(match.group(2))


def tags(value):
    """d=, s=, a= of a signature, read leniently (for the line printed even when it is malformed)."""
    try:
        parsed = dkim.util.parse_tag_value(value)
    except Exception:  # a malformed header field still gets its line
        parsed = {}
    def tag(key):
        raw = parsed.get(key)
        return raw.decode("ascii", "replace") if raw else "?"
    return f"d={tag(b'd')} s={tag(b's')} a={tag(b'a')}"


def one_line(text):
    return " ".join(str(text).split())


def main():
    parser = argparse.ArgumentParser(description="Verify the DKIM signatures of a message, with public keys from one DNS server.")
    parser.add_argument("--dns", required=True, type=server, metavar="HOST:PORT", help="the DNS server to ask for the keys")
    parser.add_argument("file", metavar="FILE", help="the message (RFC 5322, as delivered)")
    args = parser.parse_args()
    try:
        with open(args.file, "rb") as handle:
            message = handle.read()
    except OSError as error:
        print(f"verify.py: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2

    reasons = Reasons()
    logger = logging.getLogger("verify.py")
    logger.propagate = False
    logger.addHandler(reasons)
    resolver = Resolver(*args.dns)

    verifier = dkim.DKIM(message, logger=logger)
    signatures = [value for name, value in verifier.headers if name.lower() == b"dkim-signature"]
    if not signatures:
        print("none")
        return 1
    passed = 0
    for index, value in enumerate(signatures):
        described = tags(value)
        reasons.lines.clear()
        try:
            # A fresh verifier per signature: dkimpy keeps per-signature state on the object.
            good = dkim.DKIM(message, logger=logger).verify(idx=index, dnsfunc=resolver)
            why = "; ".join(reasons.lines) or "the signature does not match the message and the published key"
        except dkim.DKIMException as error:
            good, why = False, str(error)
        if good:
            passed += 1
            print(f"pass {described}")
        else:
            print(f"fail {described}: {one_line(why)}")
    return 0 if passed == len(signatures) else 1


if __name__ == "__main__":
    sys.exit(main())
