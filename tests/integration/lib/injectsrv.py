#!/usr/bin/env python3
"""injectsrv.py: a scripted SMTP server for the STARTTLS tests.

  injectsrv.py HOST PORT CHAIN KEY MODE

MODE inject: answers STARTTLS with "220 ready" and, in the same segment,
plaintext that a man in the middle could have injected ("250 injected"),
then speaks TLS with CHAIN/KEY.  MODE refuse: never offers STARTTLS and
answers it with "502 5.5.1 STARTTLS not supported here".  Serves connections
one at a time until killed; each connection is bounded to 10 s.
"""
import socket
import ssl
import sys


def serve(conn, ctx, mode):
    conn.settimeout(10)
    f = conn.makefile("rb")
    conn.sendall(b"220 inject.test ESMTP scripted\r\n")
    while True:
        line = f.readline(4096)
        if not line:
            return
        cmd = line.strip().upper()
        if cmd.startswith(b"EHLO"):
            caps = b"250-inject.test\r\n250-PIPELINING\r\n"
            if mode == "inject":
                caps += b"250-STARTTLS\r\n"
            conn.sendall(caps + b"250 8BITMIME\r\n")
        elif cmd == b"STARTTLS" and mode == "inject":
            conn.sendall(b"220 2.0.0 Ready to start TLS\r\n250 injected\r\n")
            tls = ctx.wrap_socket(conn, server_side=True)
            try:
                tls.recv(1)
            except (ssl.SSLError, OSError):
                pass
            return
        elif cmd == b"STARTTLS":
            conn.sendall(b"502 5.5.1 STARTTLS not supported here\r\n")
        elif cmd == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"500 5.5.2 what?\r\n")


def main():
    host, port, chain, key, mode = sys.argv[1:6]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, int(port)))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        try:
            serve(conn, ctx, mode)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
