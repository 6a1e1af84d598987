#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""demo.py - boots one guest whose virtio-blk and virtio-net devices run on
virtio-pci-layout and shows, in a few lines, what happened.

  tests/demo.py [--kernel SERIES] [--transport ours|control]

Defaults: the newest Debian series of scripts/kernel-series, ours.  Same
environment variables as tests/run.py.
"""

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
# pylint: disable=wrong-import-position
import harness  # noqa: E402
import ktap  # noqa: E402
from harness import BUILD, BridgeError, bridge, die  # noqa: E402


def show(diag, only=None):
    """Diagnostics without their "# ", indented; only the lines matching
    the regular expression ONLY when given."""
    lines = [d[1:].lstrip(' ') if d.startswith('#') else d for d in diag]
    lines = [ln for ln in lines
             if 'guest: kernel' not in ln and (only is None or re.search(only, ln))]
    for ln in lines:
        print('      ' + ln)
    return lines


def main():
    debian = [ln.split()[0] for ln in bridge('series').splitlines() if ln.split()[1] == 'debian']
    p = argparse.ArgumentParser(usage='tests/demo.py [--kernel SERIES] [--transport ours|control]')
    p.add_argument('--kernel', default=debian[-1])
    p.add_argument('--transport', default='ours', choices=('ours', 'control'))
    args = p.parse_args()
    bridge('host-tools')
    logf = os.path.join(BUILD, 'logs', 'demo-prepare.log')
    os.makedirs(os.path.dirname(logf), exist_ok=True)
    try:
        kver = bridge('kernel', args.kernel, logf).strip()
        initrd = bridge('build', f'{args.kernel}={kver}', args.transport).strip()
    except BridgeError as e:
        die(f'preparation failed: {e} (see {logf} and build/logs/)')
    os.environ['VPL_EXTRA_APPEND'] = 'vpl.verbose=1 ' + os.environ.get('VPL_EXTRA_APPEND', '')
    rec = harness.record(args.kernel, kver, args.transport, 'demo')
    print(f'Booting Linux {kver} under QEMU ({os.environ.get("VPL_ACCEL", "tcg")}): '
          f'1 virtio-blk, 2 virtio-net, transport {args.transport}')
    boot = harness.Boot(rec, initrd)
    boot.start()
    while not boot.poll():
        time.sleep(0.2)
    rep = ktap.parse_file(boot.path('result.txt'))
    verdicts = {name: (ok, diag) for ok, name, diag, _ in boot.verdicts()}
    rc = 0
    print('\nDriver messages (dmesg | grep virtio-pci-layout):')
    dmesg = rep.find('dmesg')
    if not (dmesg and show(dmesg.diag, 'virtio[-_]pci[-_]layout')):
        print('      (none)')
    print('\nGuest checks:')
    for name in rec.tests:
        if name in ('dmesg', 'host-image', 'clean-shutdown'):
            continue
        t = rep.find(name)
        ok = bool(t and t.ok)
        rc |= not ok
        print(f'  {name:<12} {"PASS" if ok else "FAIL (" + ("not ok" if t else "missing") + ")"}')
        if t:
            show(t.diag)
    print('\nHost checks:')
    for name, label in (('host-image', 'disk image'), ('clean-shutdown', 'shutdown')):
        ok, diag = verdicts[name]
        rc |= not ok
        extra = f' (clean power-off after {boot.secs}s, no oops/WARN/BUG)' \
            if ok and name == 'clean-shutdown' else ''
        print(f'  {label:<12} {"PASS" if ok else "FAIL"}{extra}')
        show(diag)
    print(f'\nLogs: {rec.dir}')
    return rc


if __name__ == '__main__':
    sys.exit(main())
