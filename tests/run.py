#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""run.py - runs the test suite and reports it as KTAP on stdout.

  tests/run.py [--kernel SERIES]... [--transport ours|control]...
               [--scenario NAME]... [--no-kunit] [--list | --describe]

Defaults: the kernel series scripts/kernel-series gives the tier
(VPL_TIER=quick, the default, or full: make test-full): Debian 12's 6.1 and
6.12; "debug", built from Debian's 6.12 source with KASAN, kmemleak,
lockdep and fault injection by scripts/debug-kernel.sh (our transport
only); Debian unstable's 7.2 on unstable's QEMU 11.1 ("7.2@qemu11", the
quick tier; "--kernel 7.2" boots it on QEMU 7.2); both transports, the
scenarios of the tier.  Options may be repeated or take comma separated
lists.  "ours" boots the devices on virtio_pci_layout.ko (built from this
tree); "control" runs the same tests on the kernel's own virtio_pci, so
that a harness fault can be told apart from a driver fault.  --list prints
the test names and runs nothing; --describe prints each selected scenario
with what its boot holds and proves (VPL_TIER=full: every scenario).  The kernels are prepared first, --list
included: which tests a series has depends on what its kernel is
(virtio_pci built in or a module, CONFIG_VIRTIO_IOMMU), read from the
unpacked kernel.

Before the guests: a short libFuzzer run over the parser (host/fuzz/*),
the KUnit suites under kunit.py (kunit/*; --no-kunit skips them), and the
host groups: the parser's userspace tests (host/parser/*), the tools'
(host/tool/*, host/rebind/*) and the packaging tests (pkg/*: .deb, DKMS on
every Debian kernel series, boots; only without --scenario or with
"--scenario pkg"; VPL_SKIP_GROUPS="pkg ..." leaves groups out).

Every test the plan announces gets a result: a guest that died, hung or
was never booted (kernel, module or initramfs failed to build) fails the
tests it did not report.  The last line is "N passed, N failed"; the exit
status is non-zero if anything failed.  Progress goes to stderr, logs and
images to build/runs/<series>/<transport>/<scenario>/.

Guests boot VPL_JOBS at a time (default: the number of CPUs; a TCG guest
is one host thread), those with the longest time limit first, and are
reported in the plan's order.

Environment: VPL_ACCEL=kvm (default tcg), VPL_JOBS, VPL_TIMEOUT (seconds
per boot where a family sets none, default 300; tripled on a KASAN
kernel), VPL_KVER_61 / VPL_KVER_612 / ... (kernel releases, see
scripts/kernel-series), VPL_TIER, VPL_EXTRA_APPEND (kernel parameters for
every boot), VPL_FUZZ_SECONDS (default 20), VPL_DEBUG_CYCLES (bind/unbind
rounds of dbg-cycles), VPL_KUNIT_SEEDS (seeds of the KUnit model's random
devices, in kunit/* and in the debug kernel's hostile boot) and
VPL_KUNIT_SEQUENCES (sequences per seed, the debug kernel's hostile boot).
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
# pylint: disable=wrong-import-position
import harness  # noqa: E402
import ktap  # noqa: E402
from harness import BUILD, TOP, BridgeError, bridge, die, log  # noqa: E402

TIER = os.environ.get('VPL_TIER', 'quick')
LOGS = os.path.join(BUILD, 'logs')

# The host groups: scripts that print their own KTAP (tests/lib/subtests.sh)
# and answer --list with their tests' names, with the prefix their names
# get here.  A group whose --list fails (it did not build) is one failed
# test, GROUP/build; a test a group announced but did not report fails.
GROUPS = [('parser', 'host/'), ('tool', 'host/'), ('rebind', 'host/'), ('pkg', '')]


def tier_value(var, quick, full):
    """The environment's VAR if set, else the tier's value."""
    return os.environ.get(var) or (full if TIER == 'full' else quick)


def parse_args():
    p = argparse.ArgumentParser(
        usage='tests/run.py [--kernel SERIES]... [--transport ours|control]... '
              '[--scenario NAME]... [--no-kunit] [--list | --describe]')
    for opt in ('kernel', 'transport', 'scenario'):
        p.add_argument(f'--{opt}', action='append', default=[])
    p.add_argument('--list', action='store_true')
    p.add_argument('--describe', action='store_true')
    p.add_argument('--no-kunit', action='store_true')
    args = p.parse_args()
    for opt in ('kernel', 'transport', 'scenario'):
        # Each once: a boot selected twice would run twice in one directory.
        values = []
        for v in ','.join(getattr(args, opt)).split(','):
            if v and v not in values:
                values.append(v)
        setattr(args, opt, values)
    known = dict(line.split() for line in bridge('series').splitlines())
    for k in args.kernel:
        if k not in known:
            die(f"unknown kernel series '{k}' (known: {' '.join(known)})")
    args.kinds = known
    if not args.kernel:
        args.kernel = [line.split()[0] for line in bridge('series', TIER).splitlines()]
    args.transport = args.transport or ['ours', 'control']
    for t in args.transport:
        if t not in ('ours', 'control'):
            die(f"unknown transport '{t}'")
    return args


class Runner:
    """The whole run: kernels, plan, host tests, guests, report."""

    def __init__(self, args):
        self.args = args
        self.out = ktap.Writer()
        self.kver = {}            # series: release
        self.kernel_failed = {}   # series: log of the failed preparation
        self.kernel_secs = {}
        self.recs = {}            # (series, transport): [Record]
        self.groups = {}          # group: [test names]
        self.kunit = None         # ktap.Report of scripts/kunit.sh

    # ------------------------------------------------------------ planning

    def prepare_kernels(self):
        os.makedirs(LOGS, exist_ok=True)
        for series in self.args.kernel:
            start = time.monotonic()
            logf = os.path.join(LOGS, f'kernel-{series}.log')
            log(f'{series}: preparing kernel')
            try:
                self.kver[series] = bridge('kernel', series, logf).strip()
            except BridgeError:
                self.kernel_failed[series] = logf
            self.kernel_secs[series] = int(time.monotonic() - start)

    def plan_scenarios(self):
        """The records of every selected boot.  A scenario whose plan
        cannot be read is a harness fault: it ends the run."""
        for series in self.args.kernel:
            if series in self.kernel_failed:
                continue
            for transport in self.args.transport:
                try:
                    self.recs[series, transport] = harness.records(
                        series, self.kver[series], transport, self.args.scenario)
                except BridgeError as e:
                    die(f'{series}/{transport}: no plan (tests/lib/plan.sh): {e}')
        for want in self.args.scenario:
            if want == 'pkg' or self.kernel_failed:
                continue
            if not any(r.scenario == want for recs in self.recs.values() for r in recs):
                die(f"no scenario '{want}' on {' '.join(self.args.kernel)} / "
                    f"{' '.join(self.args.transport)}")

    def group_selected(self, group):
        if group in os.environ.get('VPL_SKIP_GROUPS', '').split():
            return False
        return group != 'pkg' or not self.args.scenario or 'pkg' in self.args.scenario

    def group_cmd(self, group, *args):
        """A group's command.  The groups get the selected kernels Debian
        packages, Debian 12's and unstable's (all of them when none is
        selected): a built kernel (the debug one) has no packages to test."""
        series = [s for s in self.args.kernel if self.args.kinds[s] != 'built']
        if not series:
            series = [s for k in ('debian', 'sid') for s, kind in self.args.kinds.items()
                      if kind == k]
        env = dict(os.environ, VPL_SERIES=' '.join(series))
        return [os.path.join(TOP, 'tests', group, 'run.sh'), *args], env

    def prepare_groups(self):
        for group, _ in GROUPS:
            if not self.group_selected(group):
                continue
            cmd, env = self.group_cmd(group, '--list')
            with open(os.path.join(LOGS, f'group-{group}.log'), 'w', encoding='utf-8') as lg:
                p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=lg, text=True,
                                   check=False)
            names = p.stdout.split() if p.returncode == 0 else []
            self.groups[group] = names or [f'{group}/build']

    def prepare_kunit(self):
        """The KUnit suites run before the plan is printed, since only the
        run tells how many parameterised cases there are; a build or boot
        failure is one failed test."""
        if self.args.no_kunit:
            return
        log('kunit: building and running the KUnit suites')
        env = dict(os.environ, VPL_KUNIT_SEEDS=tier_value('VPL_KUNIT_SEEDS', '1', '4'))
        with open(os.path.join(LOGS, 'kunit.log'), 'w', encoding='utf-8') as lg:
            p = subprocess.run([os.path.join(TOP, 'scripts', 'kunit.sh')], env=env,
                               stdout=subprocess.PIPE, stderr=lg, text=True, check=False)
        self.kunit = ktap.parse(p.stdout.split('\n'))
        if not self.kunit.tests:
            self.kunit.tests = [ktap.Test(1, 'kunit/run', False, [
                '# scripts/kunit.sh reported no test; see build/kunit/kunit.log'])]

    def names(self):
        """Every test name of the plan, in order."""
        out = ['host/fuzz/parser']
        for group, prefix in GROUPS:
            out += [prefix + n for n in self.groups.get(group, [])]
        if self.kunit:
            out += [t.name for t in self.kunit.tests]
        for series in self.args.kernel:
            if series in self.kernel_failed:
                out.append(f'{series}/kernel')
                continue
            for transport in self.args.transport:
                for r in self.recs[series, transport]:
                    out += [f'{r.prefix}/{n}' for n in r.tests]
        return out

    def entries(self):
        """Top-level entries: single results, one subtest per boot."""
        n = 1 + sum(len(v) for v in self.groups.values())
        n += len(self.kunit.tests) if self.kunit else 0
        for series in self.args.kernel:
            if series in self.kernel_failed:
                n += 1
            else:
                n += sum(len(self.recs[series, t]) for t in self.args.transport)
        return n

    # ------------------------------------------------------------ host tests

    def run_fuzz(self):
        """A short, bounded libFuzzer run over the parser (make fuzz runs
        longer): it passes when no input crashes it or breaks a layout
        invariant."""
        secs = os.environ.get('VPL_FUZZ_SECONDS', '20')
        logf = os.path.join(LOGS, 'fuzz.log')
        log(f'fuzz: {secs}s of libFuzzer on the parser')
        with open(logf, 'w', encoding='utf-8') as lg:
            rc = subprocess.run(['make', '-s', '-C', os.path.join(TOP, 'tests', 'fuzz'), 'run',
                                 f'FUZZ_SECONDS={secs}', f'OUT={BUILD}/fuzz'],
                                stdout=lg, stderr=subprocess.STDOUT, check=False).returncode
        with open(logf, encoding='utf-8', errors='replace') as lg:
            text = lg.read().splitlines()
        if rc == 0:
            stats = [ln for ln in text
                     if re.match(r'^(#[0-9]+.*DONE|stat::number_of_executed_units)', ln)]
            log('fuzz: ' + ' '.join(stats))
            self.out.result(True, 'host/fuzz/parser')
        else:
            self.out.result(False, 'host/fuzz/parser',
                            [ln for ln in text if not ln.startswith('"')][-25:])

    def run_kunit(self):
        if not self.kunit:
            return
        for t in self.kunit.tests:
            diag = t.diag + ['# see build/kunit/kunit.log for kunit.py\'s output'] if not t.ok else []
            self.out.result(t.ok, t.name, diag, t.directive)

    def run_groups(self):
        for group, prefix in GROUPS:
            names = self.groups.get(group)
            if not names:
                continue
            logf = os.path.join(LOGS, f'group-{group}.log')
            if names == [f'{group}/build']:
                self.out.result(False, prefix + names[0], tail(logf, 25))
                continue
            log(f'{group}: running tests/{group}/run.sh')
            cmd, env = self.group_cmd(group)
            with open(logf, 'a', encoding='utf-8') as lg:
                p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=lg, text=True,
                                   check=False)
            rep = ktap.parse(p.stdout.split('\n'))
            seen = set()
            for t in rep.tests:
                seen.add(t.name)
                self.out.result(t.ok, prefix + t.name, [] if t.ok else t.diag)
            for name in names:
                if name not in seen:
                    self.out.result(False, prefix + name,
                                    [f'no result: tests/{group}/run.sh stopped early; see '
                                     f'build/logs/group-{group}.log'] + tail(logf, 15))

    # ------------------------------------------------------------ guests

    def run_guests(self):
        """Builds each configuration's module and initramfs, then boots
        JOBS guests at a time, the longest time limit first; reports the
        boots in the plan's order, each once it and every boot before it
        have ended.  Boots share nothing but the initramfs."""
        jobs = os.environ.get('VPL_JOBS') or str(len(os.sched_getaffinity(0)))
        if not jobs.isdigit() or int(jobs) == 0:
            die(f"VPL_JOBS must be a positive number, not '{jobs}'")
        jobs = int(jobs)
        start = time.monotonic()
        config_failed, queue = {}, []
        for series in self.args.kernel:
            for transport in self.args.transport:
                recs = self.recs.get((series, transport))
                if not recs:
                    continue
                try:
                    initrd = bridge('build', f'{series}={self.kver[series]}', transport).strip()
                except BridgeError as e:
                    config_failed[series, transport] = str(e)
                    continue
                queue += [harness.Boot(r, initrd) for r in recs]
        # A stable sort: the plan's order among equal limits.
        queue.sort(key=lambda b: -b.rec.timeout)
        log(f'guests: {len(queue)} boots, {jobs} at a time')
        boots = {b.rec.prefix: b for b in queue}
        running, ended, guest_secs = [], set(), {}

        def await_boot(prefix):
            while prefix not in ended:
                while len(running) < jobs and queue:
                    b = queue.pop(0)
                    log(f'{b.rec.prefix}: booting')
                    running.append(b)
                    b.start()
                if not running:
                    die(f"boot '{prefix}' was never queued")
                for b in list(running):
                    if b.poll():
                        log(f'{b.rec.prefix}: QEMU exit {b.rc} after {b.secs}s')
                        running.remove(b)
                        ended.add(b.rec.prefix)
                time.sleep(0.2)

        try:
            for series in self.args.kernel:
                if series in self.kernel_failed:
                    self.out.result(False, f'{series}/kernel', ['kernel preparation failed:']
                                    + tail(self.kernel_failed[series], 20))
                    continue
                for transport in self.args.transport:
                    for i, r in enumerate(self.recs[series, transport]):
                        if (series, transport) in config_failed:
                            why = config_failed[series, transport] if i == 0 else \
                                'not run (see above)'
                            self.fail_boot(r, why)
                            continue
                        await_boot(r.prefix)
                        b = boots[r.prefix]
                        guest_secs[series] = guest_secs.get(series, 0) + b.secs
                        self.report_boot(b)
        finally:
            for b in running:
                b.stop()
        for series in self.args.kernel:
            if series not in self.kernel_failed:
                print(f'# {series} ({self.kver[series]}): kernel {self.kernel_secs[series]} s, '
                      f'guests {guest_secs.get(series, 0)} s')
        print(f'# guests: {int(time.monotonic() - start)} s of wall time, {jobs} at a time')

    def fail_boot(self, rec, reason):
        """Fails every test of a boot that could not happen, the first with
        the reason."""
        self.out.begin(rec.prefix, len(rec.tests))
        for i, name in enumerate(rec.tests):
            self.out.result(False, name, reason if i == 0 else 'not run (see above)')
        self.out.end()

    def report_boot(self, boot):
        verdicts = boot.verdicts()
        self.out.begin(boot.rec.prefix, len(verdicts))
        for ok, name, diag, directive in verdicts:
            self.out.result(ok, name, diag, directive)
        self.out.end()

    # ------------------------------------------------------------ main

    def describe(self):
        """Each selected scenario once, with the series and transports that
        have it and its description."""
        where = {}
        for (series, transport), recs in self.recs.items():
            for r in recs:
                where.setdefault(r.scenario, (r, []))[1].append(f'{series}/{transport}')
        for scenario, (r, configs) in where.items():
            print(f'{scenario} ({", ".join(configs)})')
            print(f'    {r.description}')

    def main(self):
        # Nothing started here outlives the run: kunit.py, a group's
        # guests, QEMU.
        signal.signal(signal.SIGINT, harness.kill_children)
        signal.signal(signal.SIGTERM, harness.kill_children)
        self.prepare_kernels()
        self.plan_scenarios()
        if self.args.describe:
            self.describe()
            return 0
        if not self.args.list:
            os.makedirs(LOGS, exist_ok=True)
        self.prepare_groups()
        if self.args.list:
            names = self.names()
            if not self.args.no_kunit:
                # The KUnit cases are known once they run.
                i = 1 + sum(len(v) for v in self.groups.values())
                names.insert(i, "kunit/* (the KUnit suites' cases, known once they run)")
            print('\n'.join(names))
            return 0
        self.prepare_kunit()
        total, tests = self.entries(), len(self.names())
        bridge('host-tools')
        self.out.header(total)
        self.run_fuzz()
        self.run_kunit()
        self.run_groups()
        self.run_guests()
        for name in self.out.failed_names:
            print(f'# failed: {name}')
        print(f'{self.out.passed} passed, {self.out.failed} failed')
        sys.stdout.flush()
        ok = (self.out.failed == 0 and self.out.num == total
              and self.out.passed + self.out.failed == tests)
        return 0 if ok else 1


def tail(path, n):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return [ln.rstrip('\n') for ln in f][-n:]
    except FileNotFoundError:
        return []


def main():
    args = parse_args()
    bridge('need-tools')
    return Runner(args).main()


if __name__ == '__main__':
    sys.exit(main())
