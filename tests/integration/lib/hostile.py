#!/usr/bin/env python3
"""hostile.py: servers that misbehave, one listener per behaviour (asyncio).

  hostile.py --host 127.0.0.1 --cert-dir DIR --ready FILE

Listens on HOST (loopback inside the test's network namespace) on these ports:

  9001 silent      accepts and never says anything
  9002 trickle     after the ClientHello: a valid TLS record header announcing 16 KiB,
                   then one byte a second
  9003 endless     after the ClientHello: a ServerHello, then handshake records forever,
                   as fast as the client reads them (one Certificate message of 16 MiB)
  9004 bigchain    real TLS (Python ssl): leaf + DIR/bigchain.pem (~1 MB of certificates)
  9005 sans        real TLS: DIR/sans.pem, a leaf with 10,000 subjectAltNames
  9006 garbage     after the ClientHello: a well-formed TLS 1.2 ServerHello choosing one
                   of the client's suites, then random bytes
  9007 reset       reads the ClientHello, then closes with SO_LINGER 0 (an RST)
  9008 alerts      after the ClientHello: 500 warning alerts, then a fatal one
  9009 good        real TLS with DIR/leaf.pem: the control
  25   smtp-mute   SMTP port: accepts and never sends its 220 greeting

Writes "ready" to FILE once every listener is up; runs until killed.
"""
import argparse
import asyncio
import os
import socket
import ssl
import struct
import sys

HELLO_MAX = 1 << 16


async def read_record(reader):
    """One TLS record (type, body) or None at EOF / not TLS."""
    try:
        hdr = await reader.readexactly(5)
        n = struct.unpack(">H", hdr[3:5])[0]
        body = await reader.readexactly(n)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    return hdr[0], body


def client_suites(body):
    """The cipher suites of a ClientHello handshake message body (record payload)."""
    if len(body) < 4 or body[0] != 1:
        return []
    p = 4 + 2 + 32
    sid = body[p]
    p += 1 + sid
    n = struct.unpack(">H", body[p:p + 2])[0]
    p += 2
    return [struct.unpack(">H", body[p + i:p + i + 2])[0] for i in range(0, n, 2)]


def server_hello(suite):
    """A TLS 1.2 ServerHello record choosing suite, no extensions."""
    msg = struct.pack(">H", 0x0303) + os.urandom(32) + b"\x00" + struct.pack(">HB", suite, 0)
    hs = b"\x02" + struct.pack(">I", len(msg))[1:] + msg
    return b"\x16\x03\x03" + struct.pack(">H", len(hs)) + hs


async def hold(reader, writer):
    """Keeps the connection open until the client goes."""
    try:
        while await reader.read(4096):
            pass
    except (ConnectionError, OSError):
        pass
    writer.close()


async def silent(reader, writer):
    await hold(reader, writer)


async def trickle(reader, writer):
    if await read_record(reader) is None:
        return writer.close()
    try:
        writer.write(b"\x16\x03\x03\x40\x00")
        while True:
            await writer.drain()
            await asyncio.sleep(1)
            writer.write(b"\x02")
    except (ConnectionError, OSError):
        pass
    writer.close()


async def endless(reader, writer):
    rec = await read_record(reader)
    if rec is None:
        return writer.close()
    # a ServerHello, then a Certificate message announcing 16 MiB - 1 and
    # its body in full records, forever
    suites = [s for s in client_suites(rec[1]) if s >> 8 != 0x13 and s not in (0x00ff, 0x5600)]
    first = b"\x0b\xff\xff\xff" + os.urandom(16380)
    chunk = os.urandom(16384)
    try:
        writer.write(server_hello(suites[0] if suites else 0xc02f))
        writer.write(b"\x16\x03\x03" + struct.pack(">H", len(first)) + first)
        while True:
            writer.write(b"\x16\x03\x03" + struct.pack(">H", len(chunk)) + chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    writer.close()


async def garbage(reader, writer):
    rec = await read_record(reader)
    if rec is None:
        return writer.close()
    suites = [s for s in client_suites(rec[1]) if s >> 8 != 0x13 and s not in (0x00ff, 0x5600)]
    try:
        writer.write(server_hello(suites[0] if suites else 0xc02f) + os.urandom(4096))
        await writer.drain()
    except (ConnectionError, OSError):
        pass
    await hold(reader, writer)


async def reset(reader, writer):
    await read_record(reader)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def alerts(reader, writer):
    if await read_record(reader) is None:
        return writer.close()
    warn = b"\x15\x03\x03\x00\x02\x01\x5a"      # warning, user_canceled
    fatal = b"\x15\x03\x03\x00\x02\x02\x28"     # fatal, handshake_failure
    try:
        writer.write(warn * 500 + fatal)
        await writer.drain()
    except (ConnectionError, OSError):
        pass
    await hold(reader, writer)


def tls_ctx(certdir, chain, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certdir, chain), os.path.join(certdir, key))
    return ctx


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--cert-dir", required=True)
    ap.add_argument("--ready", required=True)
    a = ap.parse_args()
    plain = {9001: silent, 9002: trickle, 9003: endless, 9006: garbage, 9007: reset,
             9008: alerts, 25: silent}
    tls = {9004: ("bigchain.pem", "leaf.key"), 9005: ("sans.pem", "sans.key"),
           9009: ("leaf.pem", "leaf.key")}
    servers = []
    for port, cb in plain.items():
        servers.append(await asyncio.start_server(cb, a.host, port, backlog=64))
    for port, (chain, key) in tls.items():
        servers.append(await asyncio.start_server(
            silent, a.host, port, ssl=tls_ctx(a.cert_dir, chain, key), backlog=64,
            ssl_handshake_timeout=30))
    with open(a.ready, "w") as f:
        f.write("ready\n")
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
