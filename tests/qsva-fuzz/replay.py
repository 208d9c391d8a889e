#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Replay qtest traces against qemu-system-x86_64 (-qtest stdio).

Usage: replay.py QEMU ARGS_FILE TRACE...

Each trace is sent one command at a time; every command must be answered
within the timeout (else: a hang), QEMU must still be running at the end
(else: a crash, an abort or an assertion), and its stderr must hold no
sanitizer report.  Prints TAP, one line per trace.
"""

import select
import shlex
import signal
import subprocess
import sys
import time

TIMEOUT = float(__import__("os").environ.get("QSVA_REPLAY_TIMEOUT", "30"))          # seconds for one command's answer


def replay(qemu, args, trace):
    cmd = [qemu, "-display", "none", "-machine", "accel=qtest"] + args + \
          ["-qtest", "stdio"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, bufsize=0)
    why = None
    buf = b""
    try:
        for line in open(trace):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            p.stdin.write(line.encode() + b"\n")
            end = time.monotonic() + TIMEOUT
            while b"\n" not in buf:
                left = end - time.monotonic()
                r, _, _ = select.select([p.stdout], [], [], max(left, 0))
                if not r:
                    why = "no answer to '%s' in %ds (hang)" % (line[:60],
                                                             TIMEOUT)
                    break
                chunk = p.stdout.read1(4096) if hasattr(p.stdout, "read1") \
                    else p.stdout.read(1)
                if not chunk:
                    why = "QEMU exited during '%s'" % line[:60]
                    break
                buf += chunk
            if why:
                break
            # answers, and IRQ notifications, are lines
            while buf.startswith(b"IRQ") and b"\n" in buf:
                buf = buf.split(b"\n", 1)[1]
            buf = buf.split(b"\n", 1)[1] if b"\n" in buf else buf
    except BrokenPipeError:
        why = "QEMU exited"
    if why is None and p.poll() is not None:
        why = "QEMU exited with %d" % p.returncode
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        why = why or "QEMU did not stop on SIGTERM"
    err = err.decode(errors="replace")
    for bad in ("ERROR: AddressSanitizer", "runtime error:",
                "ERROR: LeakSanitizer", "Assertion", "Aborted"):
        if bad in err:
            why = why or "stderr: " + err[err.index(bad):][:200]
    return why


def main():
    qemu, argsfile = sys.argv[1], sys.argv[2]
    args = shlex.split(open(argsfile).read())
    traces = sys.argv[3:]
    print("1..%d" % len(traces))
    fails = 0
    for i, t in enumerate(traces, 1):
        why = replay(qemu, args, t)
        name = t.rsplit("/", 1)[-1]
        if why:
            fails += 1
            print("not ok %d - %s: %s" % (i, name, why))
        else:
            print("ok %d - %s" % (i, name))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
