# SPDX-License-Identifier: GPL-2.0
"""ktap.py - the harness's one KTAP reader and its one writer.

Every result in the suite travels as KTAP: a guest's on its result channel
(the guest runtime's run_test: "# " diagnostics, then "ok N NAME" or
"not ok N NAME", a last line VPL-END), a host group's on its stdout
(tests/lib/subtests.sh), the KUnit suites' (scripts/kunit.sh).  parse()
reads any of them; Writer prints the runner's nested KTAP, which kunit.py's
own parser reads.

    python3 tests/lib/ktap.py lookup FILE NAME

prints the diagnostics of test NAME in FILE (as "# " lines) and exits 0 when
it passed, 1 when it failed, 2 when FILE has no result for it: for the shell
scripts that boot a guest of their own (tests/pkg/run.sh).
"""

import re
import sys
from dataclasses import dataclass, field

RESULT = re.compile(r'^(ok|not ok) ([0-9]+) (.*?)(?: # (.*))?$')


@dataclass
class Test:
    """One result: its number, name, verdict, diagnostics and directive."""
    num: int
    name: str
    ok: bool
    diag: list = field(default_factory=list)
    directive: str = ''


@dataclass
class Report:
    """What a KTAP stream said: its plan ("1..N"), its results in order of
    arrival, whether it ended ("VPL-END", a guest's last line)."""
    plan: int = None
    tests: list = field(default_factory=list)
    ended: bool = False

    def find(self, name):
        """The result for NAME.  A name reported twice is a fault of the
        harness: it comes back failed, with a diagnostic saying so."""
        found = [t for t in self.tests if t.name == name]
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        diag = [d for t in found for d in t.diag] + ['# reported more than once']
        return Test(found[0].num, name, False, diag)


def parse(lines):
    """Reads KTAP lines (top level only: indented results belong to a
    nested subtest, indented "# " lines are diagnostics)."""
    rep = Report()
    pending = []
    for line in lines:
        line = line.rstrip('\r\n')
        bare = line.lstrip(' ')
        if bare.startswith('#'):
            pending.append(bare)
            continue
        if bare != line:
            continue
        m = RESULT.match(line)
        if m:
            rep.tests.append(Test(int(m.group(2)), m.group(3), m.group(1) == 'ok',
                                  pending, m.group(4) or ''))
            pending = []
        elif line.startswith('1..') and line[3:].isdigit():
            rep.plan = int(line[3:])
        elif line == 'VPL-END':
            rep.ended = True
    return rep


def parse_file(path):
    """parse() of a file; an absent one reports nothing."""
    try:
        # Lines end at "\n" only: a "\r" inside a line is the line's.
        with open(path, encoding='utf-8', errors='replace', newline='\n') as f:
            return parse(f)
    except FileNotFoundError:
        return Report()


class Writer:
    """Prints KTAP, nested: single results at the top level, and subtests
    (a guest boot) holding results of their own, as kunit.py nests suites.
    passed and failed count single results, wherever they are."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.num = 0
        self.passed = 0
        self.failed = 0
        self.failed_names = []
        self.sub = None
        self.sub_num = 0
        self.sub_failed = False

    def _print(self, text):
        self.out.write(text + '\n')
        self.out.flush()

    def header(self, total):
        self._print('KTAP version 1')
        self._print(f'1..{total}')

    def result(self, ok, name, diag='', directive=''):
        """One result, after its diagnostics: each line of DIAG (a string or
        a list of lines) as a "# " line."""
        indent = '    ' if self.sub else ''
        if self.sub:
            self.sub_num += 1
            num = self.sub_num
        else:
            self.num += 1
            num = self.num
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.sub_failed = True
            self.failed_names.append(f'{self.sub}/{name}' if self.sub else name)
        lines = diag.splitlines() if isinstance(diag, str) else diag
        for d in lines:
            if d.strip():
                self._print(indent + (d if d.startswith('#') else '# ' + d))
        tail = f' # {directive}' if directive else ''
        self._print(f'{indent}{"ok" if ok else "not ok"} {num} {name}{tail}')

    def begin(self, name, count):
        """Opens the subtest NAME of COUNT results."""
        self.sub = name
        self.sub_num = 0
        self.sub_failed = False
        self._print(f'    KTAP version 1\n    # Subtest: {name}\n    1..{count}')

    def end(self):
        """Closes the subtest with its verdict at the top level: ok when
        every result in it passed."""
        name, self.sub = self.sub, None
        self.num += 1
        self._print(f'{"not ok" if self.sub_failed else "ok"} {self.num} {name}')


def main(argv):
    if len(argv) != 4 or argv[1] != 'lookup':
        sys.stderr.write('usage: ktap.py lookup FILE NAME\n')
        return 64
    test = parse_file(argv[2]).find(argv[3])
    if test is None:
        return 2
    for d in test.diag:
        print(d)
    return 0 if test.ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
