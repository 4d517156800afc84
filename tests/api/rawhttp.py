#!/usr/bin/env python3
"""rawhttp.py - send a raw HTTP request to the server under test and print
the reply's status code and body (tests/api: what curl will not send).

  rawhttp.py PORT REQUEST_FILE [--split N --pause S] [--idle K] [--expect-close]

REQUEST_FILE holds the bytes to send (\\n in it is sent as is; write \\r\\n
yourself). --split N --pause S sends the first N bytes, waits S seconds,
then the rest. --idle K first opens K connections that send nothing and
keeps them open while the request is made. Prints "STATUS <code>" and the
body, or "CLOSED" when the server closed the connection without a reply.
"""
import socket
import sys
import time


def main():
    port = int(sys.argv[1])
    data = open(sys.argv[2], "rb").read()
    args = sys.argv[3:]
    split = pause = idle = 0
    while args:
        a = args.pop(0)
        if a == "--split":
            split = int(args.pop(0))
        elif a == "--pause":
            pause = float(args.pop(0))
        elif a == "--idle":
            idle = int(args.pop(0))
    idlers = []
    for _ in range(idle):
        s = socket.create_connection(("127.0.0.1", port))
        idlers.append(s)
    time.sleep(0.3 if idle else 0)
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        if split:
            s.sendall(data[:split])
            time.sleep(pause)
            try:
                s.sendall(data[split:])
            except OSError:
                pass
        else:
            s.sendall(data)
        reply = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            reply += chunk
            head, sep, body = reply.partition(b"\r\n\r\n")
            if sep:
                length = None
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v.strip())
                if length is not None and len(body) >= length:
                    break
    finally:
        s.close()
        for i in idlers:
            i.close()
    if not reply:
        print("CLOSED")
        return
    head, _, body = reply.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].split(b" ")
    print("STATUS", status[1].decode() if len(status) > 1 else "?")
    for line in head.split(b"\r\n")[1:]:
        print("HEADER", line.decode("latin-1"))
    sys.stdout.write(body.decode("utf-8", "replace") + "\n")


main()
