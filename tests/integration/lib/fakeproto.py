#!/usr/bin/env python3
"""fakeproto.py: scripted servers for protocols without a practical Debian
server in the tests (INN and xrdp need a whole site to configure).

  fakeproto.py MODE HOST PORT CHAIN KEY

MODE nntp: NNTP reader greeting, CAPABILITIES listing STARTTLS (RFC 4642),
STARTTLS answered 382, then TLS with CHAIN/KEY.  MODE nntps: TLS at once
(port 563), then the greeting inside it.  MODE rdp: an X.224 Connection
Confirm selecting PROTOCOL_SSL when the client's RDP_NEG_REQ offers it (as
xrdp with security_layer=tls does), RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER
otherwise, then TLS.  The replies follow the RFCs and [MS-RDPBCGR] 2.2.1.2;
samples/dialogues/nntp-inn-ok.txt and rdp-xrdp-ssl.txt hold the dialogues.
Serves connections one at a time until killed; each is bounded to 10 s.
"""
import socket
import ssl
import struct
import sys

NNTP_GREETING = b"201 news.test scripted NNTP server ready (no posting)\r\n"
NNTP_CAPS = (b"101 Capability list:\r\nVERSION 2\r\nREADER\r\n"
             b"STARTTLS\r\nLIST ACTIVE NEWSGROUPS\r\n.\r\n")
PROTOCOL_SSL = 0x1


def tls_hold(conn, ctx, then=b""):
    """Handshake as the server; send THEN inside TLS; wait for the close."""
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
        if then:
            tls.sendall(then)
        tls.recv(1)
    except (ssl.SSLError, OSError):
        pass


def nntp(conn, ctx):
    conn.sendall(NNTP_GREETING)
    f = conn.makefile("rb")
    while True:
        line = f.readline(4096)
        if not line:
            return
        cmd = line.strip().upper()
        if cmd == b"CAPABILITIES":
            conn.sendall(NNTP_CAPS)
        elif cmd == b"STARTTLS":
            conn.sendall(b"382 Continue with TLS negotiation\r\n")
            tls_hold(conn, ctx)
            return
        elif cmd == b"QUIT":
            conn.sendall(b"205 bye\r\n")
            return
        else:
            conn.sendall(b"500 What?\r\n")


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        b = conn.recv(n - len(buf))
        if not b:
            raise OSError("closed")
        buf += b
    return buf


def rdp(conn, ctx):
    hdr = recv_exact(conn, 4)
    if hdr[0] != 3:
        return
    pkt = recv_exact(conn, struct.unpack(">H", hdr[2:4])[0] - 4)
    # X.224 CR: LI, 0xE0, dst-ref, src-ref, class; RDP_NEG_REQ last 8 bytes
    requested = 0
    if len(pkt) >= 15 and pkt[-8] == 0x01:
        requested = struct.unpack("<I", pkt[-4:])[0]
    if requested & PROTOCOL_SSL:
        neg = struct.pack("<BBHI", 0x02, 0x00, 8, PROTOCOL_SSL)
    else:
        neg = struct.pack("<BBHI", 0x03, 0x00, 8, 0x2)
    x224 = bytes([6 + len(neg), 0xD0, 0, 0, 0x12, 0x34, 0]) + neg
    conn.sendall(struct.pack(">BBH", 3, 0, 4 + len(x224)) + x224)
    if requested & PROTOCOL_SSL:
        tls_hold(conn, ctx)


def main():
    mode, host, port, chain, key = sys.argv[1:6]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, int(port)))
    ls.listen(16)
    while True:
        conn, _ = ls.accept()
        conn.settimeout(10)
        try:
            if mode == "nntp":
                nntp(conn, ctx)
            elif mode == "nntps":
                tls_hold(conn, ctx, NNTP_GREETING)
            elif mode == "rdp":
                rdp(conn, ctx)
        except OSError:
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
