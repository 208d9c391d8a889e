#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (c) 2026 The qemu-sva developers
#
# migrate.py DIR: migrate the QEMU whose QMP socket is DIR/src.qmp to the
# file DIR/state, as tests/guest/run.sh asks when a "qsva-migrate: file"
# scenario's guest prints QSVA-MIGRATE; then quit it.  DIR/saved is
# created when the migration completed.  Prints one line of figures.
import json
import os
import socket
import sys
import time


class QMP:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.read()                     # greeting
        self.cmd("qmp_capabilities")

    def read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        self.sock.sendall(json.dumps({"execute": name,
                                      "arguments": args}).encode() + b"\n")
        while True:
            msg = self.read()
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise RuntimeError(f"{name}: {msg['error']['desc']}")


def main():
    d = sys.argv[1]
    qmp = QMP(os.path.join(d, "src.qmp"))
    t0 = time.monotonic()
    qmp.cmd("migrate", uri="file:" + os.path.join(d, "state"))
    while True:
        info = qmp.cmd("query-migrate")
        status = info.get("status")
        if status in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.05)
    if status != "completed":
        print(f"migration {status}: {info.get('error-desc', '')}")
        return 1
    ram = info.get("ram", {})
    print(f"migrated to a file in {time.monotonic() - t0:.1f} s: "
          f"{ram.get('transferred', 0) >> 20} MiB, "
          f"downtime {info.get('downtime', 0)} ms")
    open(os.path.join(d, "saved"), "w").close()
    try:
        qmp.cmd("quit")
    except (EOFError, OSError):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
