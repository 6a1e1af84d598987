# SPDX-License-Identifier: GPL-2.0
"""The harness's one QMP client, a module of the host agent
(tests/lib/agent.py): connect() to a QEMU socket, the class Qmp (commands
and events) and device_add() (retried while QEMU still holds the slot).
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
