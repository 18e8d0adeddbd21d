#!/usr/bin/env python3
"""dlgrecord.py: record a real STARTTLS dialogue as samples/dialogues text.

A man in the middle between certsweep and a real server (both on loopback in
the test's namespace): it accepts one connection on LISTEN, connects to
UPSTREAM, relays both directions unchanged and logs every byte, in the order
it saw them, until the client's TLS ClientHello.  Then it only relays, so the
handshake completes and certsweep records the certificate, and notes whether
the server answered the ClientHello with a TLS handshake record.  The
recording is written in the format of samples/dialogues/README.md.

    dlgrecord.py --listen PORT --upstream PORT --out FILE --form text|xml|hex
        [--probe NAME] [--server-name NAME] [--expect start-tls|fail STATUS]
        [--reason TEXT] [--comment LINE]... [--ready FILE]

--expect is what the server's configuration makes of the dialogue; the
recorder checks it against what it saw (a ClientHello answered by a TLS
handshake record means start-tls, anything else a failure) and exits 1,
writing nothing, when they differ.  The reason line (for failures) is given
by the caller: it names the server's own words the probe must quote.

The module also decodes the format (decode_file), for tests/fuzz/mkseeds.py.
"""
import argparse
import select
import socket
import sys
import time

WRAP = 2048  # bytes per hex line, characters per raw XML line at most


# ------------------------------------------------------------------ format
def _esc(data, keep_crlf=False):
    out = []
    for b in data:
        c = chr(b)
        if c == "\\":
            out.append("\\\\")
        elif c == "\r":
            out.append("\\r")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif 0x20 <= b <= 0x7E:
            out.append(c)
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


def _text_lines(data):
    """Text: "CRLF-terminated line" as is, anything else raw: escaped."""
    out = []
    while data:
        i = data.find(b"\r\n")
        j = data.find(b"\n")
        if i >= 0 and i == j - 1 and i < 4000:
            line = data[:i]
            safe = all(0x20 <= b <= 0x7E and b != 0x5C for b in line)
            if safe and not line.startswith((b"raw:", b"hex:")) and \
                    not line.endswith(b" "):
                out.append(line.decode("ascii"))
            else:
                out.append("raw:" + _esc(data[:i + 2]))
            data = data[i + 2:]
        else:
            end = j + 1 if 0 <= j < 4000 else min(len(data), 4000)
            out.append("raw:" + _esc(data[:end]))
            data = data[end:]
    return out


def _xml_lines(data):
    """XML: raw:, split after '>' so a stanza reads on its own line."""
    out = []
    while data:
        end = len(data)
        k = data.find(b">")
        while 0 <= k < len(data) - 1 and data[k + 1:k + 2] != b"<":
            k = data.find(b">", k + 1)
        if 0 <= k:
            end = k + 1
        end = min(end, WRAP // 4)
        out.append("raw:" + _esc(data[:end]))
        data = data[end:]
    return out


def _hex_lines(data):
    return ["hex:" + " ".join("%02x" % b for b in data[i:i + WRAP // 3])
            for i in range(0, len(data), WRAP // 3)]


def encode(events, form):
    """[(who, bytes)] -> lines "S: ..." / "C: ...", one flight per turn."""
    merged = []
    for who, data in events:
        if merged and merged[-1][0] == who:
            merged[-1] = (who, merged[-1][1] + data)
        else:
            merged.append((who, data))
    fn = {"text": _text_lines, "xml": _xml_lines, "hex": _hex_lines}[form]
    return ["%s: %s" % (who, line) for who, data in merged
            for line in fn(data)]


def _unesc(s):
    out, i = bytearray(), 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            c = s[i + 1]
            if c == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}[c]
            i += 2
            continue
        out += s[i].encode("latin-1")
        i += 1
    return bytes(out)


def decode_value(v):
    if v.startswith("hex:"):
        return bytes.fromhex(v[4:])
    if v.startswith("raw:"):
        return _unesc(v[4:])
    return _unesc(v) + b"\r\n"


def decode_file(path):
    """-> dict(probe, server_name, events [(who, bytes)]) of a dialogue."""
    d = {"probe": None, "server_name": None, "events": []}
    for line in open(path, encoding="ascii"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        key, _, v = line.partition(":")
        v = v[1:] if v.startswith(" ") else v
        if key in ("S", "I", "C"):
            d["events"].append((key, decode_value(v)))
        elif key == "probe":
            d["probe"] = v
        elif key == "server-name":
            d["server_name"] = v
    return d


# ------------------------------------------------------------------ proxy
def _client_hello_at(buf):
    """Offset of a TLS ClientHello record in buf, or -1."""
    for i in range(len(buf) - 5):
        if buf[i] == 0x16 and buf[i + 1] == 0x03 and buf[i + 2] <= 4 and \
                buf[i + 5] == 0x01:
            return i
    return -1


def relay(listen, upstream, limit, ready=None):
    """Relay one connection; -> (events, tls) where tls says the server
    answered the ClientHello with a handshake record."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen))
    ls.listen(1)
    if ready:
        open(ready, "w").close()
    ls.settimeout(limit)
    cli, _ = ls.accept()
    ls.close()
    srv = socket.create_connection(("127.0.0.1", upstream), timeout=limit)
    events, hello, tls = [], False, False
    deadline = time.monotonic() + limit
    peer = {cli: srv, srv: cli}
    open_ = {cli, srv}
    while open_ and time.monotonic() < deadline:
        r, _, _ = select.select(list(open_), [], [], 0.5)
        for s in r:
            try:
                data = s.recv(65536)
            except OSError:  # reset
                data = b""
            if not data:
                open_.discard(s)
                try:
                    peer[s].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            if s is cli and not hello:
                at = _client_hello_at(data)
                if at >= 0:
                    hello = True
                    data_pre = data[:at]
                    if data_pre:
                        events.append(("C", data_pre))
                else:
                    events.append(("C", data))
            elif s is srv and not hello:
                events.append(("S", data))
            elif s is srv and hello and not tls and data[0] == 0x16:
                tls = True
            try:
                peer[s].sendall(data)
            except OSError:  # the other side is gone: so is the dialogue
                break
        else:
            continue
        break
    cli.close()
    srv.close()
    return events, tls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--form", choices=("text", "xml", "hex"), required=True)
    ap.add_argument("--probe")
    ap.add_argument("--server-name")
    ap.add_argument("--expect", default="start-tls")
    ap.add_argument("--reason")
    ap.add_argument("--comment", action="append", default=[])
    ap.add_argument("--limit", type=float, default=30)
    ap.add_argument("--ready", help="file to create once listening")
    a = ap.parse_args()

    events, tls = relay(a.listen, a.upstream, a.limit, a.ready)
    seen = "start-tls" if tls else "fail"
    if seen != a.expect.split()[0]:
        print("dlgrecord: %s: expected %s, saw %s" %
              (a.out, a.expect, seen), file=sys.stderr)
        for line in encode(events, a.form):
            print("  " + line[:200], file=sys.stderr)
        return 1
    lines = ["# " + c for c in a.comment]
    if a.probe:
        lines.append("probe: " + a.probe)
    if a.server_name:
        lines.append("server-name: " + a.server_name)
    lines += encode(events, a.form)
    lines.append("expect: " + a.expect)
    if a.reason:
        lines.append("reason: " + a.reason)
    with open(a.out, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
