# SPDX-License-Identifier: GPL-2.0
"""harness.py - the host side of a guest boot, for tests/run.py and
tests/demo.py: the scenario record, QEMU and the host agent beside it,
and the verdicts on what the guest reported.

What a scenario is stays where it is written once, in its family's file
(tests/guest/scenarios-*.sh, shared with the guest); kernels, modules and
initramfs images are built by the shell scripts under scripts/.  This module
asks them through tests/lib/bridge.sh and keeps the answers as data.
"""

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import ktap

LIB = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(LIB))
BUILD = os.environ.get('VPL_BUILD', os.path.join(TOP, 'build'))
SCRIPTS = os.path.join(TOP, 'scripts')
DISK_MIB = 64

# Console lines that mean the kernel went wrong.  panic_on_warn and
# friends make most of them fatal, but one printed after the last result
# would otherwise go unnoticed.
BAD_CONSOLE = re.compile(r'Kernel panic|BUG:|WARNING:|Oops|general protection fault|'
                         r'Call Trace|blocked for more than|Attempted to kill init')
# The first lines that say why a kernel stopped, after a failure's console
# tail (a long stack trace pushes them out of any tail).
WHY = re.compile(r'Kernel panic - not syncing|WARNING: CPU:|BUG: |Oops: |'
                 r'general protection fault|watchdog: BUG: soft lockup|'
                 r'blocked for more than|rcu: INFO: rcu_')


def log(msg):
    """Progress goes to stderr: stdout stays pure KTAP."""
    sys.stderr.write(f'[vpl] {msg}\n')
    sys.stderr.flush()


def die(msg):
    log(f'error: {msg}')
    sys.exit(1)


class BridgeError(Exception):
    """A question to the shell side failed; its output says why."""


def bridge(*args, stderr=None):
    """Asks tests/lib/bridge.sh; returns its stdout."""
    p = subprocess.run([os.path.join(LIB, 'bridge.sh'), *args], stdout=subprocess.PIPE,
                       stderr=stderr, text=True, check=False)
    if p.returncode != 0:
        raise BridgeError(p.stdout)
    return p.stdout


@dataclass
class Record:
    """A scenario as one boot of SERIES (kernel release KVER) with
    TRANSPORT: what bridge.sh's "records" said of it."""
    series: str
    kver: str
    transport: str
    scenario: str = ''
    description: str = ''
    dir: str = ''
    timeout: int = 300
    memory: str = ''
    agent: bool = False
    append: str = ''
    qemu_root: str = ''
    tests: list = field(default_factory=list)
    offsets: list = field(default_factory=list)

    @property
    def prefix(self):
        return f'{self.series}/{self.transport}/{self.scenario}'


def records(series, kver, transport, scenarios=()):
    """The records of SERIES TRANSPORT: the tier's scenarios, or those of
    SCENARIOS the series has (whatever the tier)."""
    return _records(bridge('records', f'{series}={kver}', transport, *scenarios),
                    series, kver, transport)


def record(series, kver, transport, scenario):
    """The record of SCENARIO, whether a tier has it or not (the demo)."""
    return _records(bridge('record', f'{series}={kver}', transport, scenario),
                    series, kver, transport)[0]


def _records(out, series, kver, transport):
    recs = []
    rec = Record(series, kver, transport)
    lists = {'test': 'tests', 'offset': 'offsets'}
    for line in out.split('\n'):
        if not line:
            continue
        if line == 'end':
            # host-image and clean-shutdown end every plan: a record
            # without them was cut short.
            if rec.tests[-1:] != ['clean-shutdown']:
                raise BridgeError(f'{rec.prefix}: a record without its plan')
            recs.append(rec)
            rec = Record(series, kver, transport)
            continue
        key, _, value = line.partition('\t')
        if key in lists:
            getattr(rec, lists[key]).append(value)
        elif key in ('timeout',):
            rec.timeout = int(value)
        elif key == 'agent':
            rec.agent = value == '1'
        else:
            setattr(rec, key, value)
    return recs


def kill_children(signum, _frame):
    """A signal handler: ends every process this one started, and what
    runs below them (QEMU, kunit.py, a group's guests), then exits."""
    kill_tree(os.getpid(), spare=True)
    sys.exit(128 + signum)


def _children():
    """Every process's children, by parent PID, read from /proc."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat', encoding='ascii', errors='replace') as f:
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def kill_tree(pid, sig=signal.SIGTERM, spare=False):
    """Signals PID (unless SPARE) and everything below it (timeout(1) puts
    QEMU in a process group of its own, so a signal to a group misses it)."""
    children = _children()
    todo = list(children.get(pid, [])) if spare else [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


class Boot:
    """One guest: a fresh disk image, scripts/qemu.sh, the host agent when
    the scenario asks for it.  start() returns at once; poll() tells when
    QEMU has ended."""

    def __init__(self, rec, initrd):
        self.rec = rec
        self.initrd = initrd
        self.qemu = None
        self.agent = None
        self.start_time = 0
        self.rc = 255
        self.secs = 0
        self.error = None

    def path(self, name):
        return os.path.join(self.rec.dir, name)

    def start(self):
        """Starts the boot; a boot that cannot start has ended at once, its
        tests failed with the reason (self.error)."""
        try:
            self._start()
        except (OSError, subprocess.SubprocessError, BridgeError) as e:
            self.error = f'the boot did not start: {e}'
            self.stop()

    def _start(self):
        rec = self.rec
        subprocess.run(['rm', '-rf', rec.dir], check=True)
        os.makedirs(rec.dir)
        # A fresh, all-zero image: whatever the host finds in it after the
        # run was written during this boot.
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw', self.path('disk.img'),
                        f'{DISK_MIB}M'], check=True)
        # The family's arguments, asked now: it may make images of its own
        # in the fresh directory.
        opts, qargs = [], bridge('qemu-args', rec.scenario, rec.dir).split()
        if rec.memory:
            opts += ['-m', rec.memory]
        if rec.agent:
            opts += ['-q', self.path('qmp.sock')]
            # Not a virtio device, like the result channel.
            qargs += ['-chardev', f'socket,id=ack,path={self.path("ack.sock")},server=on,wait=off',
                      '-device', 'isa-serial,chardev=ack,index=2']
        opts += ['-t', str(rec.timeout)]
        env = dict(os.environ, VPL_QEMU_ROOT=rec.qemu_root)
        cmd = [os.path.join(SCRIPTS, 'qemu.sh'),
               '-k', f'{BUILD}/kernels/{rec.kver}/boot/vmlinuz-{rec.kver}',
               '-i', self.initrd, '-c', self.path('console.log'), '-r', self.path('result.txt'),
               '-a', rec.append, *opts, '--', *qargs]
        self.start_time = time.monotonic()
        with open(self.path('qemu.log'), 'w', encoding='utf-8') as qlog:
            self.qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=qlog, env=env)
        if rec.agent:
            with open(self.path('agent.log'), 'w', encoding='utf-8') as alog:
                self.agent = subprocess.Popen(
                    [sys.executable, os.path.join(LIB, 'agent.py'), rec.dir, rec.scenario],
                    stdout=alog, stderr=subprocess.STDOUT)

    def poll(self):
        """True once QEMU has ended (and the agent with it)."""
        if self.error:
            return True
        rc = self.qemu.poll()
        if rc is None:
            return False
        self.rc = rc
        self.secs = int(time.monotonic() - self.start_time)
        # The agent may still wait for a request the guest never made.
        if self.agent:
            self.agent.terminate()
            self.agent.wait()
        with open(self.path('boot-status'), 'w', encoding='ascii') as f:
            f.write(f'{self.rc} {self.secs}\n')
        return True

    def stop(self):
        for p in (self.qemu, self.agent):
            if p and p.poll() is None:
                kill_tree(p.pid)

    def console_tail(self, lines=25):
        """The console's last lines and the first lines that say why a kernel
        stopped, for failures the guest could not explain."""
        console = self.path('console.log')
        try:
            with open(console, encoding='utf-8', errors='replace') as f:
                text = [ln.rstrip('\r\n').replace('\r', '') for ln in f]
        except FileNotFoundError:
            text = []
        out = [f'console tail ({console}):'] + ['  ' + ln for ln in text[-lines:]]
        out += ['  why: ' + ln for ln in [ln for ln in text if WHY.search(ln)][:6]]
        return out

    def check_shutdown(self, rep):
        """Whether the boot ended well: the guest reached the end of its
        scenario, QEMU exited by itself, the console shows no oops/WARN/BUG,
        the guest announced as many tests as the host expected and reported
        none the host did not expect, each under its number in the plan.
        Returns the diagnostics, empty when it did."""
        out = []
        guest = [n for n in self.rec.tests if n != 'clean-shutdown' and not n.startswith('host-')]
        pos = {n: i + 1 for i, n in enumerate(guest)}
        if rep.plan != len(guest):
            out.append(f'the guest announced {rep.plan if rep.plan is not None else "no"} tests '
                       f'(1..N), the host expected {len(guest)}')
        for t in rep.tests:
            if t.name in pos and pos[t.name] != t.num:
                out.append(f"'{t.name}' came as test {t.num}, the plan has it as {pos[t.name]}")
        if not rep.ended:
            out.append('the guest did not finish its scenario')
        if self.rc != 0:
            out.append(f'QEMU exit status {self.rc}{" (timeout)" if self.rc == 124 else ""}')
            try:
                with open(self.path('qemu.log'), encoding='utf-8', errors='replace') as f:
                    out += ['qemu: ' + ln.rstrip('\n') for ln in f]
            except FileNotFoundError:
                pass
        try:
            with open(self.path('console.log'), encoding='utf-8', errors='replace') as f:
                bad = [ln.rstrip('\r\n') for ln in f if BAD_CONSOLE.search(ln)]
        except FileNotFoundError:
            bad = []
        if bad:
            out += ['kernel trouble on the console:'] + bad[:5]
        for t in rep.tests:
            if t.name not in self.rec.tests:
                out.append(f"unexpected result '{t.name}'")
        return out

    def verdicts(self):
        """(ok, name, diagnostics, directive) for every test of the record,
        in order: the guest's as it reported them (a test without a result
        failed; one that does not apply is ok with "SKIP why"), host-*
        judged here after the boot, clean-shutdown last."""
        rec = self.rec
        rep = ktap.parse_file(self.path('result.txt'))
        told = False
        out = []
        for name in rec.tests:
            directive = ''
            if name == 'clean-shutdown':
                diag = self.check_shutdown(rep)
                ok = not diag
                if not ok and not told:
                    diag += self.console_tail()
            elif name.startswith('host-'):
                # host-image here, the others by the scenario's family
                # (FAMILY_host_check, see tests/lib/scenarios.sh).
                try:
                    bridge('host-check', f'{rec.series}={rec.kver}', rec.transport,
                           rec.scenario, name, rec.dir, stderr=subprocess.STDOUT)
                    ok, diag = True, []
                except BridgeError as e:
                    ok, diag = False, str(e).splitlines()
            else:
                t = rep.find(name)
                if t:
                    ok, diag, directive = t.ok, t.diag, t.directive
                else:
                    ok = False
                    diag = [self.error or f'no result: the guest stopped before reporting it '
                            f'(QEMU exit {self.rc} after {self.secs}s)']
                    if not told:
                        diag += self.console_tail(40)
                        told = True
            # Diagnostics only for failures: a passing test speaks for itself.
            out.append((ok, name, [] if ok else diag, directive))
        # The boot's verdicts, for reports built from the last run
        # (tests/matrix/mkdoc.sh).
        if os.path.isdir(rec.dir):
            with open(self.path('verdicts.txt'), 'w', encoding='utf-8') as f:
                for ok, name, _, directive in out:
                    f.write(f'{"ok" if ok else "not ok"}\t{name}'
                            f'{chr(9) + directive if directive else ""}\n')
        return out
