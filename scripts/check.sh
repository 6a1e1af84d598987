#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - the static checks every change must pass, with zero findings:
#   - checkpatch.pl --strict (from Debian's linux-source-6.12) on the sources;
#   - scripts/kernel-doc -Wall on the sources;
#   - a W=1 build with sparse (KBUILD_CHECKSRC=2) against each kernel of scripts/
#     kernel-series but the debug one: Debian 12's, and Debian unstable's
#     with unstable's compiler in its build root;
#   - userspace C: -Wall -Wextra -Werror build of the tools, cppcheck and
#     clang-tidy; every shell script: shellcheck; every Python script:
#     pyflakes; every awk script: gawk --lint;
#   - every guest scenario named in README.md.
# Installs what it needs.  Exits non-zero if anything is reported.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$VPL_TOP"
findings=0
# Kernel code, and the test code built into kernel modules.  Userspace-only
# code (tests/fuzz, tools) has its own checks: -Wall -Werror, cppcheck.
kernel_dirs='drivers include tests/injector tests/kunit tests/layouts bench/attr'
# shellcheck disable=SC2086,SC2046 # a list of directories, of patterns
sources=$(git ls-files -- $(for d in $kernel_dirs; do echo "$d/*.[ch]"; done) 2>/dev/null ||
	  find $kernel_dirs -name '*.[ch]')

# checkpatch.pl and kernel-doc come from the kernel source package; only the
# scripts are unpacked, once, into build/tools.
kernel_scripts() {
	local dir=$VPL_BUILD/tools tarball
	if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
		tarball=$(vpl_linux_source)
		mkdir -p "$dir"
		tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc'
	fi
	echo "$dir/scripts"
}

# Runs a checker; every line it prints is a finding.
report() {
	local name=$1 out
	shift
	out=$("$@" 2>&1) || true
	if [ -n "$out" ]; then
		printf '%s\n' "$out" | sed "s/^/$name: /"
		findings=$((findings + $(printf '%s\n' "$out" | grep -c -E 'WARNING|ERROR|CHECK|warning|error' || true)))
		[ "$findings" -gt 0 ] || findings=1
	fi
}

vpl_need_tools sparse:sparse perl:perl make:make gcc:gcc
scripts=$(kernel_scripts)

# shellcheck disable=SC2086 # one argument per file
report checkpatch perl "$scripts/checkpatch.pl" --no-tree --strict -q \
	--show-types -f $sources
# shellcheck disable=SC2086
report kernel-doc perl "$scripts/kernel-doc" -none -Wall $sources

# W=1 + sparse, per kernel release: Debian 12's with its gcc and sparse,
# unstable's in its build root (vpl_kroot) with unstable's gcc and sparse.
# KBUILD_CHECKSRC=2 rather than C=2: unstable's headers package lacks the
# script newer kbuilds test sparse with (checker-valid.sh), and C=2 would
# then quietly not run sparse; forced, an unfit sparse shows as errors.
# kbuild prints only diagnostics with -s; the informational lines about BTF
# and that missing script are not findings.
# The kernel list first: a failing kernels.sh must fail the check, which a
# process substitution would hide.
# shellcheck disable=SC2046 # one series per word
klist=$("$VPL_SCRIPTS/kernels.sh" $(vpl_series debian) $(vpl_series sid)) ||
	vpl_die "kernels.sh failed: no W=1 + sparse build"
checked=' '
while read -r series kver; do
	[ -n "$kver" ] || continue
	case $checked in *" $kver "*) continue ;; esac
	checked+="$kver "
	vpl_log "W=1 + sparse build against $kver"
	report "build-$series" sh -c '
		VPL_BUILD_ROOT=$4 "$1" "$2" "$3" W=1 KBUILD_CHECKSRC=2 2>&1 >/dev/null |
			grep -v -e "^Skipping BTF generation" -e "scripts/checker-valid.sh: No such file" \
				-e "C=2 specified, but sparse is not available"' sh \
		"$VPL_SCRIPTS/build-module.sh" "$(vpl_kdir "$kver")" \
		"$VPL_BUILD/check/$kver" "$(vpl_kroot "$kver")"
done <<<"$klist"

# The test build with the KUnit suites needs a KUnit kernel to link, but
# compiles against any 6.12 headers: W=1 + sparse on the transport's object
# with the suites included.
kver612=$("$VPL_SCRIPTS/kernels.sh" 6.12 | cut -d' ' -f2)
vpl_log "W=1 C=2 compile of the KUnit suites against $kver612"
ksrc=$VPL_BUILD/check/kunit
mkdir -p "$ksrc/tests"
cp -a Kbuild drivers include "$ksrc/"
cp -a tests/kunit tests/layouts "$ksrc/tests/"
# Debian's kernels have no KUnit: say it is there, for the compiler only.
report build-kunit sh -c 'make -s -C "$1" M="$2" W=1 C=2 VPL_KUNIT=y \
	KCFLAGS=-DCONFIG_KUNIT=1 \
	drivers/virtio/virtio_pci_layout_main.o 2>&1 >/dev/null' sh \
	"/usr/src/linux-headers-$kver612" "$ksrc"

# Userspace C (the tools, the tool tests' generator, the fuzzer): the
# tools' own build with -Wall -Wextra -Werror, then cppcheck and clang-tidy's
# analyzer (its Annex K "insecure API" advice aside) with the parser's
# userspace types.  Shell: shellcheck, warnings and errors, on every script.
vpl_need_tools cppcheck:cppcheck clang-tidy:clang-tidy shellcheck:shellcheck
user_c=$(find tools/layout tests/tool tests/fuzz tests/layouts -name '*.c' 2>/dev/null | sort)
user_flags="-include tools/include/vpl-user.h -Iinclude"
report tools-build sh -c 'make -s -C tools OUT="$1" 2>&1 >/dev/null' sh "$VPL_BUILD/check/tools"
# shellcheck disable=SC2086 # lists of files and flags
report cppcheck cppcheck --quiet --enable=warning,style,performance,portability \
	--inline-suppr --std=c11 -D__GNUC__ -Iinclude \
	--include=tools/include/vpl-user.h $user_c
# shellcheck disable=SC2086
report clang-tidy sh -c 'clang-tidy --quiet "$@" 2>&1 | grep -E -A3 "(warning|error):"' sh \
	-checks='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions' \
	$user_c -- $user_flags
shell_scripts=$({ git ls-files 2>/dev/null; git ls-files --others --exclude-standard 2>/dev/null; } |
	sort -u | while read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh) echo "$f" ;;
		*) head -n 1 "$f" 2>/dev/null | grep -qE '^#!(/bin/|/usr/bin/env )(ba|da)?sh' && echo "$f" ;;
		esac
	done)
# shellcheck disable=SC2086 # one argument per file
report shellcheck shellcheck -S warning -x $shell_scripts
# Python (the host agents, QMP, the fuzz seed converter): pyflakes.
vpl_need_tools pyflakes3:pyflakes3
python_scripts=$({ git ls-files '*.py' 2>/dev/null; git ls-files --others --exclude-standard '*.py' 2>/dev/null; } | sort -u)
# shellcheck disable=SC2086
report pyflakes pyflakes3 $python_scripts

# awk (the bench's trace counter): gawk's lint, on no input (the rules are
# checked as written; the bench runs it under Debian's awk, mawk).
vpl_need_tools gawk:gawk
awk_scripts=$({ git ls-files '*.awk' 2>/dev/null; git ls-files --others --exclude-standard '*.awk' 2>/dev/null; } | sort -u)
for f in $awk_scripts; do
	report awk-lint gawk --lint -f "$f" /dev/null
done

# Every scenario (a guest scenario_NAME function, tests/guest/) says what
# its boot holds and proves (its family's FAMILY_describe: tests/run.py
# --describe and Documentation/matrix.rst print it).
# shellcheck disable=SC2016,SC2046 # the script is bash's; one scenario per word
report scenario-docs bash -c '. tests/lib/harness.sh
for s; do
	[ -n "$(vpl_scenario_describe "$s")" ] || echo "error: scenario $s has no description (FAMILY_describe)"
done' sh $(sed -n 's/^scenario_\([a-z0-9_]*\)() .*/\1/p' tests/guest/scenarios*.sh | tr _ -)

if [ "$findings" -ne 0 ]; then
	echo "check: $findings finding(s)"
	exit 1
fi
echo "check: clean (checkpatch --strict, kernel-doc, W=1, sparse on$checked+ KUnit; tools -Werror, cppcheck, clang-tidy; shellcheck; pyflakes; gawk --lint)"
