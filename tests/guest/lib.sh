# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # busybox ash: POSIX plus local, like dash
#
# lib.sh - the test guests' helpers and test bodies (busybox ash), on top of
# the guest runtime (scripts/guest/runtime.sh, /vpl/runtime.sh in the guest).
#
# Sourced by /init and, once more, by each test, which runs in a shell of its
# own (see run_test) so that a failing or hanging test cannot take the rest
# of the scenario with it.  Only definitions and variables live here.

# shellcheck source=../../scripts/guest/runtime.sh
. /vpl/runtime.sh

# The fresh shell of every test (run_test) sources this file.
# shellcheck disable=SC2034 # read by run_test
VPL_TEST_LIB=/vpl/lib.sh

# The NICs are told apart by the MACs the host gives them.  The addresses are
# link-local: the two NICs only ever talk to each other through a QEMU hub
# that has no host side.
MAC_A=52:54:00:56:50:01
MAC_B=52:54:00:56:50:02
IP_A=169.254.77.1
IP_B=169.254.77.2
NETNS=peer
HTTP_PORT=8080

PATTERN=/vpl/www/pattern.bin
# shellcheck disable=SC2034 # read by the families' tests
PATTERN_SUM=$(cat /vpl/pattern.sha256)
# shellcheck disable=SC2034
PATTERN_MIB=$(cat /vpl/pattern.mib)
TRANSPORT=$(cat /vpl/transport)

# ---------------------------------------------------------------- the host

# host_request REQUEST [SECONDS]: the host agent (tests/lib/agent.py, for
# the scenarios whose family asks for it) carries out REQUEST; fails with
# its answer, or the lack of one within SECONDS (default 120).  The request
# goes out on the result channel as "# host: REQUEST", the answer comes on
# ttyS2, which is opened first, so that it cannot arrive before anyone
# listens.
HOST_ACK=/dev/ttyS2
host_request() {
	local req=$1 limit=${2:-120} reply=''
	reply=$({
		stty raw -echo
		result "# host: $req" >/dev/null
		timeout "$limit" head -n 1
	} <"$HOST_ACK" | tr -d '\r')
	[ "$reply" = "ok $req" ] || fail "host: ${reply:-no answer to \"$req\" within ${limit}s}"
	echo "agent: $reply"
}

# ---------------------------------------------------------------- devices

# The PCI driver every virtio function must be bound to in this run.
want_driver() {
	case $TRANSPORT in
	ours) echo virtio-pci-layout ;;
	*) echo virtio-pci ;;
	esac
}

# The module that provides the transport under test.
transport_module() {
	case $TRANSPORT in
	ours) echo virtio_pci_layout ;;
	*) echo virtio_pci ;;
	esac
}

# Writes the pattern to block device $1 (at MiB $2) over and over until a
# write fails, as a disk that leaves must make it.  The device is opened
# once and each dd writes through /proc/self/fd, never through the name:
# a dd started after the node went would create a regular file called
# /dev/vdX and write to it for ever (devtmpfs takes O_DIRECT since 6.6).
blk_write_loop() (
	[ -b "$1" ] || { echo "$1: not a block device"; exit 1; }
	exec 9<"$1"
	while dd if="$PATTERN" of=/proc/self/fd/9 bs=1M seek="${2:-0}" \
		oflag=direct conv=notrunc status=none; do :; done
)

# True once the disk and both NICs exist (NIC B may already be in $NETNS).
devices_present() {
	[ -e /sys/block/vda ] && [ -b /dev/vda ] && have_nic "$MAC_A" &&
		{ have_nic "$MAC_B" || have_nic "$MAC_B" "$NETNS"; }
}

# Loads the transport under test.  On 6.1 virtio and virtio_ring are modules
# and are loaded first; virtio_pci is never loaded in an "ours" guest (its
# archive does not even contain it).  On 6.12 the in-tree virtio_pci is built
# in: the host passes initcall_blacklist=virtio_pci_driver_init for "ours".
load_transport() {
	local m
	for m in virtio_ring virtio; do
		! have_module "$m" || modprobe "$m"
	done
	case $TRANSPORT in
	ours)
		load_injector
		if [ "$(cmdline vpl.fault 0)" = 1 ]; then
			# The test build with the register fault injector
			# (hostile scenarios), with short reset waits.
			insmod /vpl/fault/virtio_pci_layout.ko reset_timeout_ms=300
		else
			modprobe virtio_pci_layout ${VPL_DIALECT:+dialect=$VPL_DIALECT}
		fi
		;;
	control) is_builtin virtio_pci || modprobe virtio_pci ;;
	esac
}

# vpl.inject=MODE,MODE,MODE: present the blk, net A and net B functions (in
# that order) through the layout injector, before the transport binds them.
VPL_INJECT=$(cmdline vpl.inject)
VPL_DIALECT=$(cmdline vpl.dialect)

inject_targets() {
	{ virtio_bdfs $BLK_ID; virtio_bdfs $NET_ID; } | tr '\n' ',' | sed 's/,$//'
}

load_injector() {
	[ -n "$VPL_INJECT" ] || return 0
	modprobe vpl_inject devices="$(inject_targets)" modes="$VPL_INJECT"
	echo "vpl_inject: devices=$(inject_targets) modes=$VPL_INJECT"
}

# Asserts: expected device counts, each function bound to the expected
# driver, the disk and NICs present and created below the right functions.
check_bound() {
	local want bdf drv n
	want=$(want_driver)
	n=$(virtio_bdfs $BLK_ID | wc -l)
	[ "$n" = "$(cmdline vpl.nblk)" ] || fail "found $n virtio-blk functions, want $(cmdline vpl.nblk)"
	n=$(virtio_bdfs $NET_ID | wc -l)
	[ "$n" = "$(cmdline vpl.nnet)" ] || fail "found $n virtio-net functions, want $(cmdline vpl.nnet)"
	for bdf in $(virtio_bdfs); do
		drv=$(pci_driver_of "$bdf")
		echo "$bdf [$(cat "$PCI_DEVS/$bdf/device")] driver=$drv virtio=$(virtio_dev_of "$bdf" || echo none)"
		[ "$drv" = "$want" ] || fail "$bdf is bound to '$drv', want '$want'"
	done
	wait_for 30 devices_present || fail "disk or NICs did not appear: $(ls /sys/block) / $(ls /sys/class/net)"
	bdf=$(virtio_bdfs $BLK_ID)
	case $(readlink -f /sys/block/vda) in
	*/$bdf/virtio*/block/vda) ;;
	*) fail "vda is not below $bdf: $(readlink -f /sys/block/vda)" ;;
	esac
	echo "vda: $(cat /sys/block/vda/size) sectors, below $bdf"
}

# Every test starts by checking that no function moved to another driver.
assert_drivers() {
	local want bdf drv
	want=$(want_driver)
	for bdf in $(virtio_bdfs); do
		drv=$(pci_driver_of "$bdf")
		[ "$drv" = "$want" ] || fail "$bdf is bound to '$drv', want '$want'"
	done
}

check_cpus() {
	local online
	online=$(cat /sys/devices/system/cpu/online)
	[ "$online" = 0-1 ] || fail "cpus online: '$online', want 0-1"
	echo "cpus online: $online, kernel $KVER"
}

# ---------------------------------------------------------------- tests

# Boots the transport: load the drivers, check that every function is bound
# to the expected PCI driver and that the disk and the NICs appeared.
t_bind() {
	check_cpus
	load_class_drivers
	load_transport
	assert_in_tree_away
	check_bound
}

# In an "ours" guest the in-tree transport is neither loaded nor, where it
# is built in (6.12: its initcall blacklisted), registered.
assert_in_tree_away() {
	[ "$TRANSPORT" = ours ] || return 0
	! module_loaded virtio_pci || fail "the in-tree virtio_pci module is loaded"
	[ ! -e "$PCI_DRVS/virtio-pci" ] || fail "the in-tree virtio-pci driver is registered"
}

# The sha256 a copy of FILE must have: the host's for the pattern
# (pattern.sha256), else the guest's own file's.
expected_sum() {
	if [ "$1" = "$PATTERN" ]; then echo "$PATTERN_SUM"; else sha256sum <"$1"; fi
}

# blk_rw DEV OFF [FILE]: writes FILE (default the pattern) to block device
# DEV at MiB offset OFF with O_DIRECT (and a cache flush), reads it back
# with O_DIRECT and compares checksums.
blk_rw() {
	local dev=$1 off=$2 src=${3:-$PATTERN} want got mib
	mib=$(($(stat -c %s "$src") / 1048576))
	want=$(expected_sum "$src")
	dd if="$src" of="$dev" bs=1M seek="$off" oflag=direct conv=fsync status=none ||
		fail "$dev: write failed"
	echo 3 >/proc/sys/vm/drop_caches
	got=$(dd if="$dev" bs=1M skip="$off" count="$mib" iflag=direct status=none | sha256sum)
	[ "${got%% *}" = "${want%% *}" ] || fail "$dev: read back sha256 ${got%% *}, want ${want%% *}"
	echo "$dev: wrote+read $mib MiB at $off MiB (O_DIRECT), sha256 ${got%% *}"
}

# The pattern at MiB offset $1 of vda.  The host compares the disk image
# after power-off as well.
t_blk_pattern() {
	assert_drivers
	blk_rw /dev/vda "$1"
}

# NIC A and NIC B, the pair every core scenario has.
net_setup() {
	pair_setup "$MAC_A" "$IP_A" "$NETNS" "$MAC_B" "$IP_B"
}

in_ns() {
	ip netns exec "$NETNS" "$@"
}

t_net_ping() {
	assert_drivers
	net_setup
	ping_all ping -c 5 -i 0.2 -w 30 "$IP_B"
	ping_all in_ns ping -c 5 -i 0.2 -w 30 "$IP_A"
	echo "net: ping both ways ok"
}

# fetch_check ADDR NS [FILE]: fetches FILE (default the pattern) of
# /vpl/www from the HTTP server at ADDR with wget running in namespace NS
# ("" = initial) and checks it against the local copy.  No wget -T:
# Debian's static busybox 1.35 wget segfaults with it in a root without
# /etc (seen on the host in a chroot too); run_test's time limit bounds
# the transfer.
fetch_check() {
	local file=${3:-pattern.bin} url out=/tmp/fetched.bin want got size
	url=http://$1:$HTTP_PORT/$file
	rm -f "$out"
	if [ -n "$2" ]; then
		ip netns exec "$2" wget -q -O "$out" "$url" || fail "wget $url in ns $2 failed"
	else
		wget -q -O "$out" "$url" || fail "wget $url failed"
	fi
	size=$(stat -c %s "$out")
	want=$(expected_sum "/vpl/www/$file")
	got=$(sha256sum <"$out")
	rm -f "$out"
	[ "${got%% *}" = "${want%% *}" ] || fail "$url: $size bytes, sha256 ${got%% *}, want ${want%% *}"
	echo "net: $url -> ${2:-init ns}: $size bytes, sha256 matches"
}

# True when an HTTP server listens on ADDR $1 in namespace $2 ("" = initial).
listening() {
	if [ -n "$2" ]; then
		ip netns exec "$2" netstat -ltn | grep -q "$1:$HTTP_PORT "
	else
		netstat -ltn | grep -q "$1:$HTTP_PORT "
	fi
}

# serve_pair ADDR1 NS ADDR2: busybox httpd serves /vpl/www on ADDR1 (initial
# namespace) and ADDR2 (namespace NS), killed when the test's shell exits.
serve_pair() {
	# Servers of an earlier test may still be on their way out.
	killall httpd 2>/dev/null || true
	wait_for 10 sh -c "! netstat -ltn | grep -q ':$HTTP_PORT ' && ! ip netns exec $2 netstat -ltn | grep -q ':$HTTP_PORT '" ||
		fail "port $HTTP_PORT still taken"
	# Global, not local: the EXIT trap runs after the function returned.
	HTTPD_PIDS=${HTTPD_PIDS:-}
	trap 'kill $HTTPD_PIDS 2>/dev/null || true' EXIT
	httpd -f -p "$1:$HTTP_PORT" -h /vpl/www &
	HTTPD_PIDS="$HTTPD_PIDS $!"
	# Not through a wrapper: $! must be httpd itself (ip netns exec execs it).
	ip netns exec "$2" httpd -f -p "$3:$HTTP_PORT" -h /vpl/www &
	HTTPD_PIDS="$HTTPD_PIDS $!"
	wait_for 10 listening "$1" "" || fail "httpd did not start"
	wait_for 10 listening "$3" "$2" || fail "httpd did not start in $2"
}

# Moves the pattern over TCP in both directions: busybox httpd serves it in
# one namespace, busybox wget fetches it from the other.
t_net_tcp() {
	assert_drivers
	serve_pair "$IP_A" "$NETNS" "$IP_B"
	fetch_check "$IP_B" ""
	fetch_check "$IP_A" "$NETNS"
}

# Ping and TCP in one test, for the lifecycle scenario.
t_net_all() {
	t_net_ping
	t_net_tcp
}

# Rows of an irq_table whose action names include virtio device $1: either
# "$1" itself (INTx) or "$1-something" (MSI-X).
irq_rows_of() {
	awk -v v="$1" '{
		for (i = 4; i <= NF; i++)
			if ($i == v || index($i, v "-") == 1) { print; next }
	}'
}

# Number of MSI-X vectors the PCI core allocated for function $1.
msix_count() {
	local n=0 f
	for f in "$PCI_DEVS/$1"/msi_irqs/*; do
		[ -e "$f" ] || continue
		[ "$(cat "$f")" = msix ] || fail "$1: vector $(basename "$f") is '$(cat "$f")', want msix"
		n=$((n + 1))
	done
	echo "$n"
}

# Per-mode expectations for the interrupt rows of one device.
#   pervq:  PCI-MSI(X) rows "vN-config" plus one per virtqueue with a callback
#           (virtio-blk: req.*, virtio-net: input.0 and output.0);
#   shared: PCI-MSI(X) rows "vN-config" and "vN-virtqueues", nothing else;
#   intx:   one IO-APIC row listing plain "vN", no MSI-X vectors.
check_irq_rows() {
	local bdf=$1 v=$2 mode=$3 rows=$4 kind nrows nmsix
	kind=$(cat "$PCI_DEVS/$bdf/device")
	nrows=$(echo "$rows" | grep -c .)
	nmsix=$(msix_count "$bdf")
	has_row() {
		echo "$rows" | awk -v re="$1" -v chip="$2" '
			{ for (i = 4; i <= NF; i++) if ($i ~ re && (chip == "" || index($2, chip) == 1)) f = 1 }
			END { exit !f }'
	}
	case $mode in
	pervq)
		has_row "^$v-config\$" PCI-MSI || fail "$v: no PCI-MSI $v-config row"
		if [ "$kind" = "$BLK_ID" ]; then
			has_row "^$v-req\\.[0-9]+\$" PCI-MSI || fail "$v: no PCI-MSI $v-req.N row"
		else
			has_row "^$v-input\\.0\$" PCI-MSI || fail "$v: no PCI-MSI $v-input.0 row"
			has_row "^$v-output\\.0\$" PCI-MSI || fail "$v: no PCI-MSI $v-output.0 row"
		fi
		! has_row "^$v-virtqueues\$" "" || fail "$v: shared vector in per-vq mode"
		! has_row "^$v\$" "" || fail "$v: INTx row in MSI-X mode"
		[ "$nmsix" = "$nrows" ] || fail "$v: $nmsix MSI-X vectors but $nrows rows"
		;;
	shared)
		has_row "^$v-config\$" PCI-MSI || fail "$v: no PCI-MSI $v-config row"
		has_row "^$v-virtqueues\$" PCI-MSI || fail "$v: no PCI-MSI $v-virtqueues row"
		[ "$nrows" = 2 ] || fail "$v: $nrows rows, want 2 (config + virtqueues)"
		[ "$nmsix" = 2 ] || fail "$v: $nmsix MSI-X vectors, want 2"
		;;
	slow)
		# Slow-path queues (virtio-scsi's control and event) on the
		# config vector, a vector per data queue.
		has_row "^$v-config\$" PCI-MSI || fail "$v: no PCI-MSI $v-config row"
		! has_row "^$v-virtqueues\$" "" || fail "$v: a shared virtqueue vector"
		! has_row "^$v-(control|event)\$" "" || fail "$v: a slow-path queue has a vector of its own"
		[ "$nrows" -ge 2 ] || fail "$v: $nrows rows, want config and a data queue row at least"
		[ "$nmsix" = "$nrows" ] || fail "$v: $nmsix MSI-X vectors but $nrows rows"
		;;
	intx)
		has_row "^$v\$" IO-APIC || fail "$v: no IO-APIC row naming $v"
		[ "$nrows" = 1 ] || fail "$v: $nrows rows, want one INTx row"
		[ "$nmsix" = 0 ] || fail "$v: $nmsix MSI-X vectors in INTx mode"
		;;
	*) fail "unknown irq mode '$mode'" ;;
	esac
}

# The probe line of every function must name the draft, and a function shown
# without its ISR capability must have been driven without one.
t_draft_layout() {
	local bdf line mode i=1
	assert_drivers
	for bdf in $(inject_targets | tr ',' ' '); do
		mode=$(echo "$VPL_INJECT" | cut -d, -f$i)
		i=$((i + 1))
		line=$(dmesg | grep "virtio-pci-layout $bdf: .* layout:" | tail -n 1)
		echo "$bdf ($mode): ${line#*: }"
		case $line in
		*": draft layout: "*) ;;
		*) fail "$bdf: the probe line does not name the draft dialect" ;;
		esac
		case $mode/$line in
		draft-noisr/*" isr none "*) ;;
		draft-noisr/*) fail "$bdf: presented without ISR but an ISR was used" ;;
		*/*" isr none "*) fail "$bdf: the draft's ISR capability was not found" ;;
		esac
	done
	echo "draft: all functions driven over the draft dialect ($VPL_INJECT, dialect=$VPL_DIALECT)"
}

# debugfs: one file per function naming its dialect, interrupt mode and
# queues; each queue's doorbell must sit at queue_notify_off x multiplier
# (QEMU: notify_off = queue index, multiplier 4).
t_debugfs() {
	local bdf f dialect irq n
	assert_drivers
	mount_debugfs
	dialect=virtio1
	[ -z "$VPL_INJECT" ] || dialect=draft
	case $(cmdline vpl.irq) in
	pervq) irq=msix-per-vq ;;
	shared) irq=msix-shared ;;
	*) irq=intx ;;
	esac
	for bdf in $(virtio_bdfs); do
		f=/sys/kernel/debug/virtio-pci-layout/$bdf
		[ -f "$f" ] || fail "no debugfs file $f"
		sed "s/^/$bdf: /" "$f"
		grep -qx "dialect: $dialect" "$f" || fail "$bdf: dialect is not $dialect"
		grep -qx "irq_mode: $irq" "$f" || fail "$bdf: irq_mode is not $irq"
		n=$(grep -c '^queue ' "$f" || true)
		[ "$n" -ge 2 ] || fail "$bdf: $n queues listed"
		awk -v bdf="$bdf" '/^queue / {
			q = $2; sub(/:/, "", q)
			want = sprintf("+0x%x", q * 4)
			if ($6 != want) { print bdf ": queue " q " notify " $6 ", want " want; bad = 1 }
		} END { exit bad }' "$f" || fail "$bdf: doorbell offsets wrong"
	done
	echo "debugfs: dialect $dialect, irq $irq, doorbells at queue index x 4 on all functions"
}

# Checks the interrupt layout of every device for vpl.irq=pervq|shared|intx.
t_irq_layout() {
	local mode bdf v rows
	assert_drivers
	mode=$(cmdline vpl.irq)
	for bdf in $(virtio_bdfs); do
		v=$(virtio_dev_of "$bdf") || fail "$bdf has no virtio device"
		rows=$(irq_table | irq_rows_of "$v")
		echo "$bdf $v:"
		echo "$rows" | sed 's/^/    /'
		check_irq_rows "$bdf" "$v" "$mode" "$rows"
		check_config_balance "$v" "$rows"
	done
	echo "irq: layout '$mode' as expected on all devices"
}

# True when IRQ $1's affinity can be written (its own mask written back).
affinity_writable() {
	local m
	m=$(cat "/proc/irq/$1/smp_affinity") || return 1
	echo "$m" 2>/dev/null >"/proc/irq/$1/smp_affinity"
}

# The configuration vector of virtio device $1 (rows $2), if it has one:
# ours requests it with IRQF_NOBALANCING (no startup affinity rewrite of
# its MSI-X entry), so its affinity cannot be written; the in-tree
# transport's can.
check_config_balance() {
	local irq
	irq=$(echo "$2" | awk -v n="$1-config" '{ for (i = 4; i <= NF; i++) if ($i == n) print $1 }' | tr -d :)
	[ -n "$irq" ] || return 0
	if [ "$TRANSPORT" = ours ]; then
		! affinity_writable "$irq" || fail "$1-config (IRQ $irq): its affinity can be written, the vector is balanced"
		echo "$1-config (IRQ $irq): not balanced, affinity not writable"
	else
		affinity_writable "$irq" || fail "$1-config (IRQ $irq): the in-tree transport's affinity cannot be written"
	fi
}

# Sum of the counts of a device's virtqueue interrupts (all rows but config)
# in an irq_table file.
vq_irq_total() {
	irq_rows_of "$1" <"$2" | awk -v c="$1-config" '{
		for (i = 4; i <= NF; i++) if ($i == c) next
		t += $3
	} END { print t + 0 }'
}

# The interrupt counts before the I/O, for t_irq_counts.
irq_snapshot() {
	irq_table >/tmp/irq.before
}

# The virtqueue interrupts of every device must have fired during the I/O
# that ran since the snapshot /tmp/irq.before (irq_snapshot).
t_irq_counts() {
	local bdf v before after
	assert_drivers
	irq_table >/tmp/irq.after
	for bdf in $(virtio_bdfs); do
		v=$(virtio_dev_of "$bdf") || fail "$bdf has no virtio device"
		before=$(vq_irq_total "$v" /tmp/irq.before)
		after=$(vq_irq_total "$v" /tmp/irq.after)
		echo "$bdf $v: virtqueue interrupts $before -> $after"
		[ "$after" -gt "$before" ] || fail "$v: no virtqueue interrupt during the I/O"
	done
}

# No virtio device may be left: no disk, no NIC in either namespace, no
# driver on the PCI functions.
check_all_gone() {
	local bdf
	[ ! -e /sys/block/vda ] || fail "vda still exists"
	! have_nic "$MAC_A" || fail "NIC $MAC_A still exists"
	! have_nic "$MAC_B" || fail "NIC $MAC_B still exists"
	! have_nic "$MAC_B" "$NETNS" || fail "NIC $MAC_B still exists in $NETNS"
	[ -z "$(ls /sys/bus/virtio/devices)" ] || fail "virtio devices left: $(ls /sys/bus/virtio/devices)"
	for bdf in $(virtio_bdfs); do
		[ "$(pci_driver_of "$bdf")" = none ] || fail "$bdf still bound to $(pci_driver_of "$bdf")"
	done
}

# rmmod of the transport while the disk and configured NICs (one of them in
# another namespace) are bound to it.
t_unload() {
	local m
	m=$(transport_module)
	assert_drivers
	net_setup
	rmmod "$m"
	! module_loaded "$m" || fail "$m still loaded"
	check_all_gone
	echo "rmmod $m: disk and NICs are gone"
}

t_reload() {
	load_transport
	check_bound
}

# Unbinds all functions from the driver through sysfs, checks that the disk
# and NICs disappear, binds them again; $1 times.  Then waits for the devices.
t_bind_loop() {
	local n=$1 i=0 drv bdf
	drv=$PCI_DRVS/$(want_driver)
	while [ "$i" -lt "$n" ]; do
		for bdf in $(virtio_bdfs); do
			echo "$bdf" >"$drv/unbind"
		done
		check_all_gone
		for bdf in $(virtio_bdfs); do
			echo "$bdf" >"$drv/bind"
		done
		i=$((i + 1))
	done
	check_bound
	echo "bind-loop: $n rounds of unbind/bind"
}

# 6.12 with the in-tree virtio-pci registered: move each function over with
# driver_override + drivers_probe while virtio_blk/virtio_net are attached.
t_override_bind() {
	local bdf
	check_cpus
	load_class_drivers
	wait_for 30 devices_present || fail "devices did not appear on virtio-pci"
	for bdf in $(virtio_bdfs); do
		[ "$(pci_driver_of "$bdf")" = virtio-pci ] || fail "$bdf starts on '$(pci_driver_of "$bdf")', want virtio-pci"
	done
	load_transport
	for bdf in $(virtio_bdfs); do
		# Loading our module must not steal bound devices.
		[ "$(pci_driver_of "$bdf")" = virtio-pci ] || fail "$bdf left virtio-pci on module load"
		echo "$bdf" >"$PCI_DRVS/virtio-pci/unbind"
		echo virtio-pci-layout >"$PCI_DEVS/$bdf/driver_override"
		echo "$bdf" >/sys/bus/pci/drivers_probe
		echo "$bdf: moved from virtio-pci to $(pci_driver_of "$bdf")"
	done
	check_bound
}

# Lines the transports logged, for the demo.
t_dmesg() {
	dmesg | grep -E 'virtio[-_]pci[-_]layout' | tail -n 20 || true
	grep -E 'virtio' /proc/interrupts || true
}

# ---------------------------------------------------------------- malformed

# Layouts presented by vpl_inject on net A, one case per line of
# /vpl/layouts.cases (tests/layouts/cases.def says what each field means).
# The disk stays bound throughout and must keep doing I/O: a bad function
# must not disturb a good one.

malformed_target() {
	virtio_bdfs $NET_ID | head -n 1
}

malformed_release() {
	local bdf=$1
	[ ! -e "$PCI_DEVS/$bdf/driver" ] || echo "$bdf" >"$PCI_DEVS/$bdf/driver/unbind"
	! module_loaded vpl_inject || rmmod vpl_inject
}

# The disk's first MiB still reads back as the pattern, with O_DIRECT.
healthy_disk() {
	local want got
	want=$(dd if="$PATTERN" bs=1M count=1 status=none | sha256sum)
	got=$(dd if=/dev/vda bs=1M count=1 iflag=direct status=none | sha256sum)
	[ "${got%% *}" = "${want%% *}" ] || fail "the healthy disk read back wrong data"
}

# With the control, OUTCOME is what the in-tree virtio_pci makes of the
# layout ("?": not known yet, only printed), and MESSAGE is "-".
t_malformed() {
	local mode=$1 outcome=$2 msg=$3 bdf drv log net got want
	want=$(want_driver)
	bdf=$(malformed_target)
	malformed_release "$bdf"
	dmesg -c >/dev/null
	modprobe vpl_inject devices="$bdf" modes="$mode"
	# Binding is synchronous, virtio-net's probe included; a refused
	# function makes the write fail, which is one of the outcomes.
	echo "$bdf" >"$PCI_DRVS/$want/bind" 2>/dev/null || true
	log=$(dmesg)
	echo "$log" | grep -E 'virtio|vpl_inject' | sed 's/^/  /' || true
	drv=$(pci_driver_of "$bdf")
	net=$(ls -d "$PCI_DEVS/$bdf"/virtio*/net/* 2>/dev/null || true)
	if [ "$drv" != "$want" ]; then
		got=reject
	elif [ -z "$net" ]; then
		got=nodev
	else
		got=bind
	fi
	echo "$mode: driver=$drv interface=${net##*/}: $got"
	[ "$outcome" = "?" ] && result "# malformed $TRANSPORT $mode: $got"
	case $outcome in
	bind | nodev | reject) [ "$got" = "$outcome" ] || fail "$mode: $got, want $outcome" ;;
	'?') ;;
	*) fail "unknown outcome '$outcome'" ;;
	esac
	case $msg in
	-) ;;
	!*)
		! printf '%s\n' "$log" | grep -qF -- "${msg#!}" ||
			fail "$mode: the kernel log has '${msg#!}'"
		;;
	*)
		printf '%s\n' "$log" | grep -qF -- "$msg" ||
			fail "$mode: the kernel log lacks '$msg'"
		;;
	esac
	healthy_disk
	malformed_release "$bdf"
}

# Net A back on its real layout: bound, interface up for the net tests.
t_malformed_rebind() {
	local bdf
	bdf=$(malformed_target)
	malformed_release "$bdf"
	echo "$bdf" >"$PCI_DRVS/$(want_driver)/bind"
	check_bound
}

# ---------------------------------------------------------------- families

# Scenario families (see tests/lib/scenarios.sh) bring their scenarios and
# test bodies in files of their own; every test shell sources them too.
for vpl_family_file in /vpl/scenarios-*.sh; do
	[ -e "$vpl_family_file" ] || continue
	# shellcheck disable=SC1090 # found at run time
	. "$vpl_family_file"
done
unset vpl_family_file
