#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qmp.py SOCKET COMMAND [JSON-ARGUMENTS]

The harness's one QMP client.  As a command: runs one QMP command on the
QEMU listening on the UNIX socket SOCKET and prints the command's "return"
value as JSON on stdout; device_add is retried for up to 30 s (see
device_add()).  Asynchronous events QEMU sends meanwhile are printed to
stderr.  Exit status: 0 on success, 1 when QEMU answers with an error, 2 when
it cannot be reached within 30 s.  As a module (tests/matrix/agent.py): the
class Qmp and device_add().
"""
import json
import socket
import sys
import threading
import time


def stderr_log(msg):
    print(msg, file=sys.stderr, flush=True)


def connect(path, limit=30.0):
    """Connects to QEMU's server socket PATH, waiting up to LIMIT seconds
    for it to appear; the socket returned blocks."""
    end = time.monotonic() + limit
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


class QmpError(Exception):
    pass


class Qmp:
    """One QMP connection: commands in order, events collected (and logged
    through LOG as they arrive)."""

    def __init__(self, path, limit=60.0, log=stderr_log):
        self.log = log
        self.sock = connect(path, limit)
        self.file = self.sock.makefile("rb")
        self.lock = threading.Lock()
        self.events = []
        self.cond = threading.Condition()
        self.replies = []
        self.closed = False
        json.loads(self.file.readline())  # greeting
        threading.Thread(target=self._reader, daemon=True).start()
        self.cmd("qmp_capabilities")

    def _reader(self):
        for line in self.file:
            msg = json.loads(line)
            with self.cond:
                if "event" in msg:
                    self.log(f"event {json.dumps(msg)}")
                    self.events.append(msg)
                else:
                    self.replies.append(msg)
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def cmd(self, name, args=None, timeout=60):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        with self.lock:
            self.log(f"qmp {json.dumps(msg)}")
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
            end = time.monotonic() + timeout
            with self.cond:
                while not self.replies:
                    if self.closed or time.monotonic() > end:
                        raise QmpError(f"{name}: no reply")
                    self.cond.wait(0.5)
                reply = self.replies.pop(0)
        if "error" in reply:
            raise QmpError(f"{name}: {reply['error'].get('desc')}")
        return reply.get("return")

    def wait_event(self, name, device, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for i, ev in enumerate(self.events):
                    if ev["event"] == name and ev.get("data", {}).get("device") == device:
                        del self.events[i]
                        return ev
                if self.closed or time.monotonic() > end:
                    raise QmpError(f"no {name} event for {device} within {timeout}s")
                self.cond.wait(0.5)


def device_add(qmp, args, limit=30.0):
    """device_add, retried for up to LIMIT seconds: QEMU lets go of a bus
    slot and of the old device's id only once the guest's eject has gone
    through."""
    end = time.monotonic() + limit
    while True:
        try:
            return qmp.cmd("device_add", args)
        except QmpError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    name = sys.argv[2]
    args = json.loads(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
    def events_only(msg):
        if msg.startswith("event "):
            stderr_log(msg[len("event "):])

    try:
        qmp = Qmp(sys.argv[1], limit=30.0, log=events_only)
    except (OSError, QmpError, ValueError) as err:
        print(f"qmp: cannot connect to {sys.argv[1]}: {err}", file=sys.stderr)
        return 2
    try:
        if name == "device_add":
            ret = device_add(qmp, args)
        else:
            ret = qmp.cmd(name, args, timeout=30)
    except QmpError as err:
        print(f"qmp: {err}", file=sys.stderr)
        return 1
    print(json.dumps(ret))
    return 0


if __name__ == "__main__":
    sys.exit(main())
