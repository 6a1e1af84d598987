#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""agent.py BOOT_DIR SCENARIO

The one host agent: for every scenario whose family asks for it
(FAMILY_agent, tests/lib/scenarios.sh), the harness runs it beside QEMU,
which then has a QMP socket (BOOT_DIR/qmp.sock) and a third serial port for
the answers (BOOT_DIR/ack.sock, ttyS2 in the guest; the guest side is
host_request in tests/guest/lib.sh).  It holds the QMP connection and:

* echoes every byte the guest sends on the virtio-serial port and console
  back to it (chardev sockets BOOT_DIR/port0.sock, con0.sock), so data
  crosses the device in both directions;
* follows the guest's result channel (BOOT_DIR/result.txt) for requests,
  lines "# host: REQUEST", carries each out and answers "ok REQUEST" or
  "error REQUEST: why" on the guest's third serial port (BOOT_DIR/ack.sock,
  ttyS2), so that the guest knows when the host is done and why it failed;
* m-mq, m-tunnel: moves the two taps into a network namespace of their own
  and bridges them there (BOOT_DIR/taps.env), and removes it again at the end.

Requests:
  balloon MIB               set the balloon target (guest RAM) to MIB
  key QCODE                 press and release a key on the virtio keyboard
  screendump                write the display to BOOT_DIR/screen.ppm
  mem-size ID MIB           virtio-mem: requested-size of device ID
  plug-blk ID BUS IMAGE     hot-plug a virtio-blk on BOOT_DIR/IMAGE at BUS,
                            or on the existing block node NODE for @NODE
  plug-net ID BUS MAC HUB   hot-plug a virtio-net on hub HUB at BUS
  plug-scsi ID BUS IMAGE    hot-plug a SCSI disk on BOOT_DIR/IMAGE on the
                            virtio-scsi bus BUS (an event for the guest)
  unplug ID...              device_del of each (all at once), answered once
                            QEMU deleted them all
"""
import os
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import Qmp, QmpError, connect, device_add  # noqa: E402  (tests/lib/qmp.py)


def log(msg):
    print(f"{time.strftime('%H:%M:%S')} {msg}", flush=True)


def echo(path, name):
    """Sends back whatever the guest writes to the chardev at PATH."""
    try:
        sock = connect(path, 60.0)
    except OSError as err:
        log(f"{name}: cannot connect: {err}")
        return
    total = 0
    while True:
        try:
            data = sock.recv(65536)
        except OSError:
            break
        if not data:
            break
        total += len(data)
        sock.sendall(data)
    log(f"{name}: echoed {total} bytes")


def requests(path, stop):
    """Yields the guest's requests as they appear in its result file."""
    pos = 0
    pending = b""
    while not stop.is_set():
        try:
            with open(path, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        pos += len(data)
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            line = line.decode(errors="replace").rstrip("\r")
            if line.startswith("# host: "):
                yield line[len("# host: "):]
        time.sleep(0.1)


class Agent:
    def __init__(self, boot_dir, scenario):
        self.dir = boot_dir
        self.scenario = scenario
        self.qmp = None
        self.ack = None
        self.netns = None
        self.plugged = {}   # device id -> ("blockdev"|"netdev", backend id)

    # ---------------------------------------------------------- requests

    def do_balloon(self, mib):
        self.qmp.cmd("balloon", {"value": int(mib) << 20})

    def do_key(self, qcode):
        for down in (True, False):
            self.qmp.cmd("input-send-event", {"events": [{
                "type": "key",
                "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}]})
            time.sleep(0.05)

    def do_screendump(self):
        self.qmp.cmd("screendump", {"filename": os.path.join(self.dir, "screen.ppm")})

    def do_mem_size(self, dev, mib):
        self.qmp.cmd("qom-set", {"path": f"/machine/peripheral/{dev}",
                                 "property": "requested-size", "value": int(mib) << 20})

    def block_node(self, dev, image):
        """The block node for device DEV: "@NODE" names one from QEMU's
        command line (it outlives its device), else a raw node on
        BOOT_DIR/IMAGE is added, to be deleted with the device."""
        if image.startswith("@"):
            return image[1:]
        node = f"{dev}-node"
        self.qmp.cmd("blockdev-add", {
            "driver": "raw", "node-name": node,
            "file": {"driver": "file", "filename": os.path.join(self.dir, image)}})
        self.plugged[dev] = ("blockdev", node)
        return node

    def do_plug_blk(self, dev, bus, image):
        device_add(self.qmp, {"driver": "virtio-blk-pci", "id": dev, "bus": bus,
                              "drive": self.block_node(dev, image),
                              "disable-legacy": "on"})

    def do_plug_scsi(self, dev, bus, image):
        device_add(self.qmp, {"driver": "scsi-hd", "id": dev, "bus": bus,
                              "drive": self.block_node(dev, image), "scsi-id": 1})

    def do_plug_net(self, dev, bus, mac, hub):
        netdev = f"{dev}-nd"
        self.qmp.cmd("netdev_add", {"type": "hubport", "id": netdev, "hubid": int(hub)})
        self.plugged[dev] = ("netdev", netdev)
        device_add(self.qmp, {"driver": "virtio-net-pci", "id": dev, "bus": bus,
                         "netdev": netdev, "mac": mac, "romfile": "",
                         "disable-legacy": "on"})

    def do_unplug(self, *devs):
        if not devs:
            raise ValueError("unplug: no device named")
        for dev in devs:
            self.qmp.cmd("device_del", {"id": dev})
        for dev in devs:
            # Native PCIe hot-plug: the guest waits 5 s after the attention
            # button before it powers the slot off.
            self.qmp.wait_event("DEVICE_DELETED", dev, 90)
            kind, backend = self.plugged.pop(dev, (None, None))
            if kind == "blockdev":
                self.qmp.cmd("blockdev-del", {"node-name": backend})
            elif kind == "netdev":
                self.qmp.cmd("netdev_del", {"id": backend})

    def handle(self, req):
        words = req.split()
        handlers = {
            "balloon": self.do_balloon,
            "key": self.do_key,
            "screendump": self.do_screendump,
            "mem-size": self.do_mem_size,
            "plug-blk": self.do_plug_blk,
            "plug-net": self.do_plug_net,
            "plug-scsi": self.do_plug_scsi,
            "unplug": self.do_unplug,
        }
        fn = handlers.get(words[0]) if words else None
        if fn is None:
            raise QmpError(f"unknown request '{req}'")
        fn(*words[1:])

    def answer(self, text):
        log(f"answer: {text}")
        if self.ack is None:
            try:
                self.ack = connect(os.path.join(self.dir, "ack.sock"), 5)
            except OSError as err:
                log(f"no ack channel: {err}")
                return
        self.ack.sendall(text.encode() + b"\n")

    # ---------------------------------------------- taps (m-mq, m-tunnel)

    def setup_netns(self):
        env = {}
        with open(os.path.join(self.dir, "taps.env")) as f:
            for line in f:
                key, _, val = line.strip().partition("=")
                env[key] = val
        ns, taps = env["netns"], env["taps"].split()
        self.netns = ns
        run = lambda *a: subprocess.run(a, check=True, capture_output=True, text=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        run("ip", "netns", "add", ns)
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        run("ip", "-n", ns, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", ns, "link", "set", "br0", "up")
        for tap in taps:
            run("ip", "link", "set", tap, "netns", ns)
            run("ip", "-n", ns, "link", "set", tap, "master", "br0")
            run("ip", "-n", ns, "link", "set", tap, "up")
        log(f"netns {ns}: bridge br0 with {' '.join(taps)}")

    def cleanup(self):
        if self.netns:
            subprocess.run(["ip", "netns", "del", self.netns], capture_output=True)
            log(f"netns {self.netns} removed")
            self.netns = None

    # ---------------------------------------------------------- main

    def run(self):
        self.qmp = Qmp(os.path.join(self.dir, "qmp.sock"), log=log)
        log(f"QMP connected ({self.scenario})")
        for name in ("port0", "con0"):
            path = os.path.join(self.dir, f"{name}.sock")
            if os.path.exists(path):
                threading.Thread(target=echo, args=(path, name), daemon=True).start()
        if os.path.exists(os.path.join(self.dir, "taps.env")):
            try:
                self.setup_netns()
            except (subprocess.CalledProcessError, KeyError, OSError) as err:
                log(f"netns setup failed: {err} {getattr(err, 'stderr', '')}")
        stop = threading.Event()

        def watch_qmp():
            with self.qmp.cond:
                while not self.qmp.closed:
                    self.qmp.cond.wait(1)
            stop.set()
        threading.Thread(target=watch_qmp, daemon=True).start()
        for req in requests(os.path.join(self.dir, "result.txt"), stop):
            log(f"request: {req}")
            try:
                self.handle(req)
                self.answer(f"ok {req}")
            except (QmpError, OSError, TypeError, ValueError) as err:
                self.answer(f"error {req}: {err}")
        log("QEMU is gone")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    agent = Agent(sys.argv[1], sys.argv[2])

    def on_term(*_):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, on_term)
    try:
        agent.run()
    except (OSError, QmpError) as err:
        log(f"agent: {err}")
        return 1
    finally:
        agent.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
