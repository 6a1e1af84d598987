# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# harness.sh - host side steps shared by run.sh and demo.sh (sourced):
# build a test initramfs, boot a scenario and read back what the guest
# reported.  Preparing a kernel and building the module are scripts/lib.sh's,
# shared with bench/.
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"

VPL_LIB=$VPL_TESTS/lib
# The guest side of the tests: /init, the test bodies, the cases.
VPL_GUEST=$VPL_TESTS/guest
VPL_DISK_MIB=64

declare -gA RES_STATUS=() RES_DIAG=()
declare -ga RES_ORDER=() RES_NUMS=()

# Console lines that mean the kernel went wrong.  panic_on_warn and friends
# make most of them fatal, but one printed after the last result would
# otherwise go unnoticed.
VPL_BAD_CONSOLE='Kernel panic|BUG:|WARNING:|Oops|general protection fault|Call Trace|blocked for more than|Attempted to kill init'

# The layout catalogue's list for the guest (tests/layouts), built when
# stale; prints the directory to lay over the initramfs (vpl/layouts.cases).
vpl_layouts() {
	make -s -C "$VPL_TESTS/layouts" OUT="$VPL_BUILD/layouts" >&2 ||
		vpl_die "the layout catalogue did not build (tests/layouts)"
	echo "$VPL_BUILD/layouts/overlay"
}

# Builds the initramfs for SERIES, KVER and TRANSPORT (and module KO), with
# whatever the scenario families add; prints its path.
vpl_build_initramfs() {
	local series=$1 kver=$2 transport=$3 ko=$4 log=$5 out overlay
	out=$VPL_BUILD/initramfs/$kver/$transport.cpio
	mkdir -p "$(dirname "$out")"
	overlay=$(vpl_layouts) || return 1
	VPL_OVERLAY=$overlay VPL_EXTRA_MODULES="${VPL_EXTRA_MODULES:-} $(vpl_family_modules "$series" | tr '\n' ' ')" \
		VPL_EXTRA_BINS="${VPL_EXTRA_BINS:-} $(vpl_family_bins | tr '\n' ' ')" \
		VPL_GUEST=$VPL_GUEST "$VPL_SCRIPTS/initramfs.sh" "$kver" "$transport" "$out" "$ko" 2>"$log" >/dev/null || return 1
	echo "$out"
}

# vpl_guest_plan KVER CMDLINE FUNCTION FILE...: the test names FUNCTION of
# the guest files FILE... will report, on the kernel of release KVER booted
# with CMDLINE (tests/lib/plan.sh; TRANSPORT and VPL_DIR pass through).
vpl_guest_plan() {
	local kver=$1
	shift
	dash "$VPL_LIB/plan.sh" "$(vpl_kernel_moddir "$kver")" "$@"
}

# Where the boot of SERIES TRANSPORT SCENARIO keeps its files.
vpl_boot_dir() {
	echo "$VPL_BUILD/runs/$1/$2/$3"
}

# Boots SCENARIO for SERIES/KVER/TRANSPORT with INITRD on a fresh disk image.
# Sets BOOT_DIR (console.log, result.txt, disk.img), BOOT_RC and BOOT_SECS.
# Extra kernel parameters may come in VPL_EXTRA_APPEND.  A scenario that
# asks for the host agent (FAMILY_agent) gets a QMP socket
# (BOOT_DIR/qmp.sock) and a third serial port for the agent's answers
# (BOOT_DIR/ack.sock, the guest's ttyS2), and tests/lib/agent.py runs beside
# QEMU until QEMU exits (its output: BOOT_DIR/agent.log).
vpl_boot() {
	local series=$1 kver=$2 transport=$3 scenario=$4 initrd=$5 start mem qpid apid=''
	local -a qargs opts=()
	BOOT_DIR=$(vpl_boot_dir "$series" "$transport" "$scenario")
	rm -rf "$BOOT_DIR"
	mkdir -p "$BOOT_DIR"
	# A fresh, all-zero image: whatever the host finds in it after the run
	# was written during this boot.
	qemu-img create -q -f raw "$BOOT_DIR/disk.img" "${VPL_DISK_MIB}M"
	# shellcheck disable=SC2207 # one argument per word is intended
	qargs=($(vpl_scenario_qemu_args "$scenario" "$BOOT_DIR/disk.img" "$BOOT_DIR"))
	mem=$(vpl_scenario_memory "$scenario")
	[ -z "$mem" ] || opts+=(-m "$mem")
	if vpl_scenario_has_agent "$scenario"; then
		opts+=(-q "$BOOT_DIR/qmp.sock")
		# Not a virtio device, like the result channel.
		qargs+=(-chardev "socket,id=ack,path=$BOOT_DIR/ack.sock,server=on,wait=off"
			-device "isa-serial,chardev=ack,index=2")
	fi
	opts+=(-t "$(vpl_scenario_timeout "$series" "$scenario")")
	start=$(date +%s)
	BOOT_RC=0
	VPL_QEMU_ROOT=$(vpl_series_qemu_root "$series") \
		"$VPL_SCRIPTS/qemu.sh" -k "$VPL_BUILD/kernels/$kver/boot/vmlinuz-$kver" \
		-i "$initrd" -c "$BOOT_DIR/console.log" -r "$BOOT_DIR/result.txt" \
		-a "$(vpl_scenario_append "$series" "$transport" "$scenario") ${VPL_EXTRA_APPEND:-}" \
		"${opts[@]}" -- "${qargs[@]}" 2>"$BOOT_DIR/qemu.log" &
	qpid=$!
	if vpl_scenario_has_agent "$scenario"; then
		python3 "$VPL_LIB/agent.py" "$BOOT_DIR" "$scenario" >"$BOOT_DIR/agent.log" 2>&1 &
		apid=$!
	fi
	wait "$qpid" || BOOT_RC=$?
	# The agent may still wait for a request the guest never made.
	if [ -n "$apid" ]; then
		kill "$apid" 2>/dev/null || true
		wait "$apid" 2>/dev/null || true
	fi
	# shellcheck disable=SC2034 # for the caller
	BOOT_SECS=$(($(date +%s) - start))
}

# Reads a guest's KTAP (the guest runtime's run_test, on its result
# channel) into RES_STATUS[name] (ok / not ok), RES_DIAG[name] (the "# "
# lines the guest sent before that result), RES_ORDER (names in order of
# arrival, for spotting unexpected ones), RES_NUMS (the number each came
# with, in the same order), RES_PLAN (the N of the guest's "1..N") and
# RES_ENDED (1 when the guest got to the end).
vpl_parse_results() {
	local line pending='' name status num
	RES_STATUS=()
	RES_DIAG=()
	RES_ORDER=()
	RES_NUMS=()
	RES_PLAN=''
	RES_ENDED=0
	[ -f "$1" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		case $line in
		'#'*) pending+="$line"$'\n' ;;
		'ok '[0-9]* | 'not ok '[0-9]*)
			status=ok
			[ "${line#not ok }" = "$line" ] || status='not ok'
			num=${line#"$status "}
			name=${num#* }
			num=${num%% *}
			if [ -n "${RES_STATUS[$name]:-}" ]; then
				# A name reported twice is a harness fault: fail it.
				RES_STATUS[$name]='not ok'
				pending+="# reported more than once"$'\n'
			else
				RES_STATUS[$name]=$status
			fi
			RES_DIAG[$name]=${RES_DIAG[$name]:-}$pending
			RES_ORDER+=("$name")
			RES_NUMS+=("$num")
			pending=
			;;
		1..*) RES_PLAN=${line#1..} ;;
		VPL-END) RES_ENDED=1 ;;
		esac
	done <"$1"
}

# Checks the disk image: the pattern must be at each MiB offset given.
# Prints diagnostics; fails on any mismatch.
vpl_check_image() {
	local img=$1 off sum want rc=0 pattern
	shift
	pattern=$("$VPL_SCRIPTS/pattern.sh")
	want=$(cat "$pattern.sha256")
	for off in "$@"; do
		sum=$(dd if="$img" bs=1M skip="$off" count="$VPL_PATTERN_MIB" status=none | sha256sum)
		sum=${sum%% *}
		if [ "$sum" = "$want" ]; then
			echo "image at $off MiB: pattern intact"
		else
			echo "image at $off MiB: sha256 $sum, want $want"
			rc=1
		fi
	done
	return "$rc"
}

# Judges whether the boot ended well: the guest reached the end of its
# scenario, QEMU exited by itself, the console shows no oops/WARN/BUG, the
# guest announced as many tests as the host expected of it and reported no
# test the host did not expect, each under its number in the plan.
# Arguments: expected names, in order.
vpl_check_shutdown() {
	local rc=0 name expected=" $* " guest=0 i
	local -A pos=()
	for name in "$@"; do
		case $name in host-* | clean-shutdown) ;; *)
			guest=$((guest + 1))
			pos[$name]=$guest
			;;
		esac
	done
	if [ "${RES_PLAN:-}" != "$guest" ]; then
		echo "the guest announced ${RES_PLAN:-no} tests (1..N), the host expected $guest"
		rc=1
	fi
	for i in "${!RES_ORDER[@]}"; do
		name=${RES_ORDER[$i]}
		if [ -n "${pos[$name]:-}" ] && [ "${pos[$name]}" != "${RES_NUMS[$i]}" ]; then
			echo "'$name' came as test ${RES_NUMS[$i]}, the plan has it as ${pos[$name]}"
			rc=1
		fi
	done
	if [ "$RES_ENDED" != 1 ]; then
		echo "the guest did not finish its scenario"
		rc=1
	fi
	if [ "$BOOT_RC" != 0 ]; then
		echo "QEMU exit status $BOOT_RC$([ "$BOOT_RC" != 124 ] || echo ' (timeout)')"
		sed 's/^/qemu: /' "$BOOT_DIR/qemu.log"
		rc=1
	fi
	if grep -Eq "$VPL_BAD_CONSOLE" "$BOOT_DIR/console.log" 2>/dev/null; then
		echo "kernel trouble on the console:"
		grep -E -m 5 "$VPL_BAD_CONSOLE" "$BOOT_DIR/console.log"
		rc=1
	fi
	for name in "${RES_ORDER[@]}"; do
		case $expected in *" $name "*) ;; *)
			echo "unexpected result '$name'"
			rc=1
			;;
		esac
	done
	return "$rc"
}

# Last lines of the console, for failures the guest could not explain, and
# after them (a long stack trace pushes it out of any tail) the first lines
# that say why a kernel stopped: a panic, a WARN or BUG, a watchdog.
vpl_console_tail() {
	echo "console tail ($BOOT_DIR/console.log):"
	tail -n "${1:-25}" "$BOOT_DIR/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  /'
	grep -a -m 6 -E 'Kernel panic - not syncing|WARNING: CPU:|BUG: |Oops: |general protection fault|watchdog: BUG: soft lockup|blocked for more than|rcu: INFO: rcu_' \
		"$BOOT_DIR/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  why: /'
}
