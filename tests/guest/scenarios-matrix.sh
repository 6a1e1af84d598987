# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # POSIX plus local: bash on the host, busybox ash in the guest
#
# scenarios-matrix.sh - the device and feature matrix (issue 6): every virtio
# device QEMU 7.2 offers a Debian guest a driver for, and every transport
# feature, used for real in booted guests, on 6.1 and 6.12, with our
# transport and with the in-tree virtio_pci as the control.  One file for
# the family: the host side declares the scenarios (the interface is at the
# top of tests/lib/scenarios.sh) and checks the images they leave, the guest
# side runs them.  The host agent is tests/lib/agent.py, and
# Documentation/matrix.rst is generated from the last run by
# tests/matrix/mkdoc.sh.
#
# One boot per group of cases (a TCG boot costs 10-40 s); what each holds
# and proves is matrix_describe below.
#
# VPL_TIER=quick (make test, CI) runs MATRIX_QUICK: every device type, the
# vector fallbacks, ACCESS_PLATFORM and PCIe hot-plug, about a minute of
# boots per kernel and transport.  VPL_TIER=full (make test-full) runs all,
# about fifteen minutes.  m-ring stays out of the quick tier: QEMU 7.2's
# virtio-net stalls now and then on a packed ring with event index, for the
# in-tree transport too (Documentation/matrix.rst).
# The host side of the requests a guest makes ("# host: ..." on its result
# channel, answered on its third serial port) is tests/lib/agent.py.
#
# Devices are found by PCI address: the host places each one at a fixed
# slot (comments name them).  NIC pairs sit on QEMU hubs with no host side:
# pair H has MACs 52:54:00:4d:0H:01 (stays in the initial network namespace,
# 169.254.(10+H).1) and :02 (moved into namespace mH, 169.254.(10+H).2), so
# that traffic between them crosses the device instead of the loopback.
#
# Requests to the host (balloon, key presses, hot-plug, screendumps) go to
# the host agent through host_request (lib.sh).

# ================================================================ host side
MATRIX_DIR=${VPL_TESTS:-}/matrix
MATRIX_ALL="m-devices m-memdev m-transitional m-ring m-notify m-vectors m-mq m-iommu m-viommu m-hotplug m-pm m-many m-inorder m-flr m-pm-nsr m-tunnel m-sriov"
MATRIX_QUICK="m-devices m-vectors m-iommu m-hotplug m-inorder m-flr m-pm-nsr m-tunnel m-sriov"

matrix_scenarios() {
	local s list=$MATRIX_QUICK
	# The matrix is about the kernels distributions ship (Debian 12's and
	# unstable's); a built one (the debug kernel) has families of its own.
	[ "$(vpl_series_field "$1" 2)" != built ] || return 0
	[ "$VPL_TIER" != full ] || list=$MATRIX_ALL
	for s in $list; do
		# Debian's 6.1 is built without CONFIG_VIRTIO_IOMMU.
		[ "$s" != m-viommu ] || vpl_series_has "$1" config:VIRTIO_IOMMU || continue
		# QEMU 7.2 (the machine's, QEMU column "-") has no in_order.
		[ "$s" != m-inorder ] || [ "$(vpl_series_field "$1" 4)" != - ] || continue
		# ... nor x-pcie-pm-no-soft-reset, nor UDP tunnel offloads.
		[ "$s" != m-pm-nsr ] || [ "$(vpl_series_field "$1" 4)" != - ] || continue
		[ "$s" != m-tunnel ] || [ "$(vpl_series_field "$1" 4)" != - ] || continue
		# ... nor composable SR-IOV (sriov-pf).
		[ "$s" != m-sriov ] || [ "$(vpl_series_field "$1" 4)" != - ] || continue
		# A function reset reaches the class driver from 6.14 on.
		[ "$s" != m-flr ] || vpl_series_has "$1" export:virtio_device_reset_prepare || continue
		echo "$s"
	done
}

# What each scenario's boot holds and proves (also the cases of
# Documentation/matrix.rst, tests/matrix/mkdoc.sh).
matrix_describe() {
	case $1 in
	m-devices)
		echo "virtio-scsi (disk: write, read, checksum, and in the host's image), virtio-rng (/dev/hwrng), virtio-serial port and virtconsole (1 MiB and 16 KiB echoed by the host), virtio-balloon (QMP inflates 512 MiB and deflates; MemTotal follows), virtio-keyboard (a QMP key press reaches the event device), virtio-9p (read a host file, write files the host checks), virtio-gpu (KMS mode 1024x768 set with modetest; the host's screendump shows it), virtio-crypto (AES-CBC through AF_ALG: NIST vectors, 64 KiB against the generic AES; on 7.x, whose AF_ALG offers no asynchronous algorithm, the kernel's self-test of the driver)"
		;;
	m-memdev)
		echo "virtio-pmem (/dev/pmem0 takes the pattern, flushes go to the device, the host checks the backing file) and virtio-mem (QMP grows it from 128 to 384 MiB and unplugs all; MemTotal follows)"
		;;
	m-transitional)
		echo "transitional blk, net, scsi, rng, serial, balloon and 9p functions (device IDs 0x1000-0x103f): VERSION_1 negotiated, i.e. driven over the virtio 1.x capabilities, and each used as in m-devices"
		;;
	m-ring)
		echo "packed ring x event index x indirect descriptors: 8 disks (every combination) and 3 NIC pairs, each checked for the negotiated bits, then the pattern / ping and TCP"
		;;
	m-notify)
		echo "modern-pio-notify=on (the notify capability in an I/O BAR comes first: the transport claims and uses it) and page-per-vq=on (multiplier 4096; QEMU picks the queue by doorbell address, so I/O proves the placement), on a disk and a NIC each"
		;;
	m-vectors)
		echo "vector shortage: a disk and a NIC with 2 vectors, a serial device with 18 queues and 4 vectors (each: one config and one shared vector), a disk and a NIC with vectors=1 (INTx), a virtio-scsi with 2 request queues and 3 vectors (ours: each request queue keeps a vector, control and event share the config vector; the in-tree transport shares one vector among all); /proc/interrupts shows the documented mode, I/O works, interrupts fire, a hot-plugged SCSI disk's event arrives (through the config vector in ours)"
		;;
	m-mq)
		echo "virtio-net mq=on, 4 queue pairs on host taps bridged in a network namespace of their own: a vector per queue, 64 TCP connections spread over every rx/tx queue of both NICs; per-queue reset: ethtool -G resizes every ring to 128 and traffic flows; without RING_RESET the resize is refused cleanly"
		;;
	m-iommu)
		echo "iommu_platform=on behind QEMU's Intel IOMMU (intel_iommu=on): ACCESS_PLATFORM negotiated, translating DMA domains, disk and NIC I/O, no DMA faults"
		;;
	m-viommu)
		echo "iommu_platform=on behind virtio-iommu (itself a virtio function on the transport; the endpoints' probes wait for it): as m-iommu"
		;;
	m-inorder)
		echo "in_order=on (QEMU 11: VIRTIO_F_IN_ORDER offered) on a disk and a NIC pair: IN_ORDER negotiated on every function exactly when the kernel's virtio_ring has in-order support (its BTF names detach_buf_split_in_order), the pattern and TCP intact either way"
		;;
	m-pm-nsr)
		echo "two PCIe disks, one with x-pcie-pm-no-soft-reset=on (QEMU 11): through /sys/power/pm_test mem/platform the No_Soft_Reset disk keeps its state (no freeze, no restore: its queues are not set up again) and the other is frozen and restored (through disk/devices, hibernation, both are), both read back the data written before and take new data; ours, with the fault build: a No_Soft_Reset disk whose status reads 0 after the resume (it lost its state all the same) is shut off, and its reads fail at once instead of hanging"
		;;
	m-flr)
		echo "Function Level Reset (echo 1 > /sys/bus/pci/devices/.../reset, reset_method flr) of a PCIe disk below a root port while a reader keeps it busy: the block layer holds its I/O across the reset (reset_prepare/reset_done, Linux 6.14 and later: its queues are set up again once), nothing fails, the pattern written before is intact and the disk takes a new one; an FLR of a NIC, whose driver cannot quiesce, shuts it off (ours)"
		;;
	m-tunnel)
		echo "feature bits above 63 (virtio 1.4): two NICs on taps bridged in a host network namespace (QEMU 11 offers the UDP tunnel GSO bits 65-68 over a tap); on kernels whose virtio core has 128 feature bits (6.17 and later), each NIC (and a disk) is first driven by the in-tree virtio_pci and then by ours, and all 128 negotiated bits are the same; the disk takes the pattern; tunnel GSO is on in the NIC, and the pattern crosses a VXLAN tunnel over the pair both ways, sha256 intact"
		;;
	m-sriov)
		echo "SR-IOV (QEMU 11 composable SR-IOV: a virtio-net PF below a root port with one VF, sriov-pf=): VIRTIO_F_SR_IOV negotiated on the PF; enabling a VF is refused while the PF has no virtio driver (no FEATURES_OK); echo 1 > sriov_numvfs makes a VF that binds to the transport and virtio_net and moves the pattern to and from the PF across a network namespace; echo 0 removes it, and so does unbinding the PF"
		;;
	m-hotplug)
		echo "q35 pcie-root-ports: a disk and a NIC hot-plugged through QMP (device_add) and used; hot-unplug (device_del) idle, during disk I/O and during network load; the slots take new devices again"
		;;
	m-pm)
		echo "/sys/power/pm_test: freeze/devices, mem/devices, mem/platform, disk/devices, disk/platform, with disk, NIC, SCSI, rng and serial I/O before, after every cycle and at the end (blk, net, scsi, rng, serial, balloon, keyboard bound)"
		;;
	m-many)
		echo "32 virtio-blk (multifunction slots) and 4 virtio-net in one guest: all bound, all 32 disks written and read in parallel, both NIC pairs move data, every function in per-queue MSI-X with interrupts firing; the host checks all 32 images"
		;;
	*) return 1 ;;
	esac
}

matrix_has() {
	case $1 in m-*) return 0 ;; esac
	return 1
}

# The disk combinations of m-ring: packed ring, event index, indirect
# descriptors (QEMU's defaults are split, on, on).  Slot 0x04 + index.
MATRIX_RING_BLK="split split-noind split-noevt split-noevt-noind packed packed-noind packed-noevt packed-noevt-noind"
# Its NIC pairs (one hub each).
MATRIX_RING_NET="packed split-noevt-noind packed-noevt-noind"

# The images the host checks after the boot (matrix_host_check).
matrix_host_tests() {
	case $1 in
	m-devices) echo host-scsi host-9p host-gpu ;;
	m-memdev) echo host-pmem ;;
	m-transitional) echo host-9p ;;
	m-ring) echo host-ring-images ;;
	m-vectors) echo host-scsi ;;
	m-notify | m-many) echo host-images ;;
	esac
}

matrix_append() {
	case $3 in
	# The ring combinations, so that the guest tests what QEMU was given.
	m-ring) echo "vpl.ring_blk=$(echo $MATRIX_RING_BLK | tr ' ' ,) vpl.ring_net=$(echo $MATRIX_RING_NET | tr ' ' ,)" ;;
	# The IOMMU translates (DMA or DMA-FQ domains), never passes through.
	m-iommu) echo "intel_iommu=on iommu.passthrough=0" ;;
	m-viommu) echo "iommu.passthrough=0" ;;
	# virtio-mem memory must be online, and movable to be unpluggable.
	m-memdev) echo "memhp_default_state=online_movable" ;;
	# QEMU 7.2's builtin crypto backend (the machine's QEMU: QEMU column
	# "-") offers RSA and fails the kernel's RSA self-test (akcipher
	# encrypt: -EINVAL, with the in-tree transport too), which WARNs and so
	# panics the guest: self-tests off there, m_t_crypto checks AES-CBC
	# through AF_ALG.  QEMU 11.1's offers no RSA: self-tests stay on, and
	# are the check where AF_ALG offers no asynchronous algorithm (7.x).
	m-devices) [ "$(vpl_series_field "$1" 4)" != - ] || echo "cryptomgr.notests=1" ;;
	# Messages of the suspend steps stay on the console.
	m-pm) echo "no_console_suspend" ;;
	# Ours: the fault build, to make a device lie about No_Soft_Reset.
	m-pm-nsr) echo "no_console_suspend$([ "$2" != ours ] || echo ' vpl.fault=1')" ;;
	esac
}

matrix_memory() {
	case $1 in
	# The balloon takes 512 MiB of 1 GiB.
	m-devices | m-many) echo 1G ;;
	# virtio-pmem and virtio-mem sit in the memory device region.
	m-memdev) echo 1G,slots=4,maxmem=4G ;;
	esac
}

matrix_timeout() {
	case $1 in
	m-many | m-hotplug | m-pm) echo 600 ;;
	*) echo 400 ;;
	esac
}

# Class drivers the matrix guests load, by module name (dependencies are
# resolved by initramfs.sh; built-in ones are simply absent).
matrix_modules() {
	[ "$(vpl_series_field "$1" 2)" != built ] || return 0
	echo virtio_scsi sd_mod virtio_rng virtio_console virtio_balloon \
		virtio_input evdev 9pnet_virtio 9p virtio_gpu virtio_crypto \
		virtio_pmem nd_pmem virtio_mem virtio_iommu algif_skcipher vxlan
}

# ethtool (channels, ring sizes, per-queue counters), modetest (a KMS mode
# set on virtio-gpu) and afalg (AES-CBC through virtio-crypto) run in the
# guests; python3 runs the host agent.
matrix_bins() {
	local afalg=$VPL_BUILD/matrix/afalg
	vpl_need_tools ethtool:ethtool modetest:libdrm-tests python3:python3-minimal gcc:gcc >&2
	mkdir -p "$(dirname "$afalg")"
	gcc -static -O2 -Wall -Wextra -Werror -o "$afalg" "$MATRIX_DIR/afalg.c" >&2
	echo /usr/sbin/ethtool:/bin/ethtool /usr/bin/modetest:/bin/modetest "$afalg:/bin/afalg"
}

# The boots that talk to the host agent: requests (balloon, keys,
# screendump, virtio-mem, hot-plug) and the echo of serial ports.
matrix_agent() {
	case $1 in m-devices | m-memdev | m-transitional | m-vectors | m-mq | m-tunnel | m-hotplug | m-pm) ;; *) return 1 ;; esac
}

# ---------------------------------------------------------------- QEMU

# Writes an empty raw image DIR/NAME.img of MIB MiB (sparse) and prints its
# -drive argument with id NAME.
matrix_drive() {
	local dir=$1 name=$2 mib=$3
	truncate -s "${mib}M" "$dir/$name.img"
	echo "-drive file=$dir/$name.img,format=raw,if=none,id=$name,cache=writeback"
}

# A 9p share DIR/9p with a file from the host (1 MiB of random data and its
# sha256) for the guest to read; the guest writes to-host.bin beside it.
matrix_9p() {
	local dir=$1 addr=$2 type=$3
	mkdir -p "$dir/9p"
	head -c 1048576 /dev/urandom >"$dir/9p/from-host.bin"
	sha256sum <"$dir/9p/from-host.bin" | cut -d' ' -f1 >"$dir/9p/from-host.sha256"
	echo "-fsdev local,id=fs0,path=$dir/9p,security_model=none"
	echo "-device $type,fsdev=fs0,mount_tag=vplshare,addr=$addr"
}

# A NIC pair on hub HUB: MACs 52:54:00:4d:HUB:01 and :02 at ADDR_A, ADDR_B.
matrix_nic_pair() {
	local hub=$1 a=$2 b=$3 opts=$4 type=${5:-virtio-net-pci}
	echo "-netdev hubport,id=h${hub}a,hubid=$hub"
	echo "-device $type,$opts,netdev=h${hub}a,mac=52:54:00:4d:0$hub:01,romfile=,addr=$a"
	echo "-netdev hubport,id=h${hub}b,hubid=$hub"
	echo "-device $type,$opts,netdev=h${hub}b,mac=52:54:00:4d:0$hub:02,romfile=,addr=$b"
}

# Options of a ring combination name (see MATRIX_RING_BLK).
matrix_ring_opts() {
	local o=packed=off
	case $1 in packed*) o=packed=on ;; esac
	case $1 in *noevt*) o=$o,event_idx=off ;; *) o=$o,event_idx=on ;; esac
	case $1 in *noind*) o=$o,indirect_desc=off ;; *) o=$o,indirect_desc=on ;; esac
	echo "$o"
}

# The host network namespace and tap names of m-mq and m-tunnel for
# BOOT_DIR: unique per boot directory, at most 15 characters.  BOOT_DIR/
# taps.env names them for the host agent, which moves the taps into that
# namespace and bridges them there: the NICs talk through the host's tap
# code without touching the host's network.
matrix_netns() {
	echo "vplm-$(echo "$1" | cksum | cut -d' ' -f1)"
}

matrix_tap() {
	echo "vm$2$(echo "$1" | cksum | cut -d' ' -f1 | tail -c 9)"
}

# Taps a and b of BOOT_DIR $1, for the host agent.
matrix_taps() {
	local c
	c=$(matrix_netns "$1")
	ip netns del "$c" 2>/dev/null || true
	printf 'netns=%s\ntaps=%s %s\n' "$c" "$(matrix_tap "$1" a)" "$(matrix_tap "$1" b)" >"$1/taps.env"
}

matrix_qemu_args() {
	local scen=$1 img=$2 dir=$3 m=disable-legacy=on i c slot
	echo "-drive file=$img,format=raw,if=none,id=hd0,cache=writeback"
	case $scen in
	m-devices)
		echo "-device virtio-blk-pci,$m,drive=hd0,addr=0x4"
		matrix_drive "$dir" scsi 64
		echo "-device virtio-scsi-pci,$m,id=scsi0,addr=0x5"
		echo "-device scsi-hd,drive=scsi,bus=scsi0.0,channel=0,scsi-id=0,lun=0"
		echo "-object rng-random,id=rng0,filename=/dev/urandom"
		echo "-device virtio-rng-pci,$m,rng=rng0,addr=0x6"
		echo "-chardev socket,id=port0,path=$dir/port0.sock,server=on,wait=off"
		echo "-chardev socket,id=con0,path=$dir/con0.sock,server=on,wait=off"
		echo "-device virtio-serial-pci,$m,id=vser0,addr=0x7"
		echo "-device virtserialport,bus=vser0.0,chardev=port0,name=org.vpl.echo"
		echo "-device virtconsole,bus=vser0.0,chardev=con0,name=org.vpl.console"
		echo "-device virtio-balloon-pci,$m,id=balloon0,addr=0x8"
		echo "-device virtio-keyboard-pci,$m,id=kbd0,addr=0x9"
		matrix_9p "$dir" 0xa virtio-9p-pci,$m
		echo "-device virtio-gpu-pci,$m,id=gpu0,addr=0xb"
		echo "-object cryptodev-backend-builtin,id=cryp0"
		echo "-device virtio-crypto-pci,$m,cryptodev=cryp0,addr=0xc"
		;;
	m-memdev)
		echo "-device virtio-blk-pci,$m,drive=hd0,addr=0x4"
		truncate -s 64M "$dir/pmem.img"
		echo "-object memory-backend-file,id=pmem0,share=on,mem-path=$dir/pmem.img,size=64M"
		echo "-device virtio-pmem-pci,$m,memdev=pmem0,id=vpmem0,addr=0x5"
		echo "-object memory-backend-ram,id=vmem0,size=512M"
		echo "-device virtio-mem-pci,$m,memdev=vmem0,id=vmem0dev,requested-size=128M,block-size=2M,addr=0x6"
		;;
	m-transitional)
		# Transitional functions (device IDs 0x1000-0x103f, a legacy I/O
		# BAR beside the virtio 1.x capabilities).
		echo "-device virtio-blk-pci-transitional,drive=hd0,addr=0x4"
		matrix_nic_pair 0 0x5 0x6 vectors=3 virtio-net-pci-transitional
		matrix_drive "$dir" scsi 64
		echo "-device virtio-scsi-pci-transitional,id=scsi0,addr=0x7"
		echo "-device scsi-hd,drive=scsi,bus=scsi0.0,channel=0,scsi-id=0,lun=0"
		echo "-object rng-random,id=rng0,filename=/dev/urandom"
		echo "-device virtio-rng-pci-transitional,rng=rng0,addr=0x8"
		echo "-chardev socket,id=port0,path=$dir/port0.sock,server=on,wait=off"
		echo "-device virtio-serial-pci-transitional,id=vser0,addr=0x9"
		echo "-device virtserialport,bus=vser0.0,chardev=port0,name=org.vpl.echo"
		echo "-device virtio-balloon-pci-transitional,id=balloon0,addr=0xa"
		matrix_9p "$dir" 0xb virtio-9p-pci-transitional
		;;
	m-ring)
		i=0
		for c in $MATRIX_RING_BLK; do
			slot=$(printf '0x%x' $((4 + i)))
			if [ "$i" = 0 ]; then
				echo "-device virtio-blk-pci,$m,$(matrix_ring_opts "$c"),drive=hd0,addr=$slot"
			else
				matrix_drive "$dir" "r$i" 16
				echo "-device virtio-blk-pci,$m,$(matrix_ring_opts "$c"),drive=r$i,addr=$slot"
			fi
			i=$((i + 1))
		done
		i=0
		for c in $MATRIX_RING_NET; do
			matrix_nic_pair "$i" "$(printf '0x%x' $((0xc + 2 * i)))" \
				"$(printf '0x%x' $((0xd + 2 * i)))" "$m,$(matrix_ring_opts "$c")"
			i=$((i + 1))
		done
		;;
	m-notify)
		echo "-device virtio-blk-pci,$m,modern-pio-notify=on,drive=hd0,addr=0x4"
		matrix_drive "$dir" p1 16
		echo "-device virtio-blk-pci,$m,page-per-vq=on,drive=p1,addr=0x5"
		echo "-netdev hubport,id=h0a,hubid=0"
		echo "-device virtio-net-pci,$m,modern-pio-notify=on,netdev=h0a,mac=52:54:00:4d:00:01,romfile=,addr=0x6"
		echo "-netdev hubport,id=h0b,hubid=0"
		echo "-device virtio-net-pci,$m,page-per-vq=on,netdev=h0b,mac=52:54:00:4d:00:02,romfile=,addr=0x7"
		;;
	m-vectors)
		# Fewer vectors than the queues with callbacks plus config: the
		# disk (2 queues on 2 vCPUs) and NIC A with 2 vectors, the
		# serial device (8 ports: 18 queues) with 4; vectors=1 on a
		# second disk and NIC B.
		echo "-device virtio-blk-pci,$m,num-queues=4,vectors=2,drive=hd0,addr=0x4"
		matrix_drive "$dir" v1 16
		echo "-device virtio-blk-pci,$m,vectors=1,drive=v1,addr=0x5"
		echo "-netdev hubport,id=h0a,hubid=0"
		echo "-device virtio-net-pci,$m,vectors=2,netdev=h0a,mac=52:54:00:4d:00:01,romfile=,addr=0x6"
		echo "-netdev hubport,id=h0b,hubid=0"
		echo "-device virtio-net-pci,$m,vectors=1,netdev=h0b,mac=52:54:00:4d:00:02,romfile=,addr=0x7"
		echo "-chardev socket,id=port0,path=$dir/port0.sock,server=on,wait=off"
		echo "-device virtio-serial-pci,$m,max_ports=8,vectors=4,id=vser0,addr=0x8"
		echo "-device virtserialport,bus=vser0.0,chardev=port0,name=org.vpl.echo"
		# virtio-scsi: control, event and 2 request queues with
		# callbacks, 3 vectors; a second disk is hot-plugged later.
		matrix_drive "$dir" scsi 64
		echo "-device virtio-scsi-pci,$m,num_queues=2,vectors=3,id=scsi0,addr=0x9"
		echo "-device scsi-hd,drive=scsi,bus=scsi0.0,channel=0,scsi-id=0,lun=0"
		truncate -s 16M "$dir/scsi2.img"
		;;
	m-mq)
		echo "-device virtio-blk-pci,$m,drive=hd0,addr=0x4"
		# Only a tap gives virtio-net several queue pairs.
		if [ -c /dev/net/tun ]; then
			matrix_taps "$dir"
			for i in a b; do
				echo "-netdev tap,id=mq$i,ifname=$(matrix_tap "$dir" "$i"),queues=4,script=no,downscript=no"
			done
			echo "-device virtio-net-pci,$m,mq=on,vectors=10,queue_reset=on,netdev=mqa,mac=52:54:00:4d:00:01,romfile=,addr=0x5"
			echo "-device virtio-net-pci,$m,mq=on,vectors=10,queue_reset=on,netdev=mqb,mac=52:54:00:4d:00:02,romfile=,addr=0x6"
		fi
		echo "-netdev hubport,id=h1a,hubid=1"
		echo "-device virtio-net-pci,$m,queue_reset=off,netdev=h1a,mac=52:54:00:4d:01:01,romfile=,addr=0x7"
		echo "-netdev hubport,id=h1b,hubid=1"
		echo "-device virtio-net-pci,$m,queue_reset=off,netdev=h1b,mac=52:54:00:4d:01:02,romfile=,addr=0x8"
		;;
	m-tunnel)
		echo "-device virtio-blk-pci,$m,drive=hd0,addr=0x4"
		# A tap with a virtio-net header: QEMU offers what the host's
		# tap can take, UDP tunnel GSO included.
		matrix_taps "$dir"
		for i in a b; do
			echo "-netdev tap,id=tn$i,ifname=$(matrix_tap "$dir" "$i"),vnet_hdr=on,script=no,downscript=no"
		done
		echo "-device virtio-net-pci,$m,netdev=tna,mac=52:54:00:4d:00:01,romfile=,addr=0x5"
		echo "-device virtio-net-pci,$m,netdev=tnb,mac=52:54:00:4d:00:02,romfile=,addr=0x6"
		;;
	m-sriov)
		echo "-device virtio-blk-pci,$m,drive=hd0,addr=0x4"
		# The VF comes before its PF, at a higher function number.
		echo "-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1,addr=0x11,io-reserve=0"
		echo "-netdev hubport,id=h0b,hubid=0"
		echo "-device virtio-net-pci,$m,netdev=h0b,mac=52:54:00:4d:00:02,romfile=,bus=rp1,addr=0x0.0x1,sriov-pf=pf0"
		echo "-netdev hubport,id=h0a,hubid=0"
		echo "-device virtio-net-pci,$m,id=pf0,netdev=h0a,mac=52:54:00:4d:00:01,romfile=,bus=rp1,addr=0x0.0x0"
		;;
	m-iommu)
		# The IOMMU comes before every PCI device; without interrupt
		# remapping it needs no split irqchip (and TCG has none).
		echo "-device intel-iommu,intremap=off"
		echo "-device virtio-blk-pci,$m,iommu_platform=on,drive=hd0,addr=0x4"
		matrix_nic_pair 0 0x5 0x6 "$m,iommu_platform=on"
		;;
	m-inorder)
		echo "-device virtio-blk-pci,$m,in_order=on,drive=hd0,addr=0x4"
		matrix_nic_pair 0 0x5 0x6 "$m,in_order=on"
		;;
	m-pm-nsr)
		# Two PCIe disks below root ports (PCIe: a PM capability); the
		# first says No_Soft_Reset.
		echo "-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1,addr=0x11,io-reserve=0"
		echo "-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2,addr=0x12,io-reserve=0"
		echo "-device virtio-blk-pci,$m,x-pcie-pm-no-soft-reset=on,drive=hd0,bus=rp1,addr=0x0"
		matrix_drive "$dir" nsr2 32
		echo "-device virtio-blk-pci,$m,drive=nsr2,bus=rp2,addr=0x0"
		;;
	m-flr)
		# A PCIe function (below a root port) has FLR (x-pcie-flr-init).
		echo "-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1,addr=0x11,io-reserve=0"
		echo "-device virtio-blk-pci,$m,drive=hd0,bus=rp1,addr=0x0"
		# A NIC, whose driver has no reset_prepare (7.2).
		echo "-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2,addr=0x12,io-reserve=0"
		echo "-netdev hubport,id=h0a,hubid=0"
		echo "-device virtio-net-pci,$m,netdev=h0a,mac=52:54:00:4d:00:01,romfile=,bus=rp2,addr=0x0"
		;;
	m-viommu)
		echo "-device virtio-iommu-pci,$m,addr=0x3"
		echo "-device virtio-blk-pci,$m,iommu_platform=on,drive=hd0,addr=0x4"
		matrix_nic_pair 0 0x5 0x6 "$m,iommu_platform=on"
		;;
	m-hotplug)
		echo "-device virtio-blk-pci,$m,drive=hd0,addr=0x4"
		# A NIC that stays, for the hot-plugged one to talk to.
		echo "-netdev hubport,id=h0a,hubid=0"
		echo "-device virtio-net-pci,$m,netdev=h0a,mac=52:54:00:4d:00:01,romfile=,addr=0x5"
		for i in 1 2 3 4; do
			echo "-device pcie-root-port,id=rp$i,bus=pcie.0,chassis=$i,slot=$i,addr=0x1$i,io-reserve=0"
		done
		# Backing images for the disks the agent plugs in.
		truncate -s 16M "$dir/hp1.img" "$dir/hp2.img" "$dir/hp3.img"
		;;
	m-pm)
		echo "-device virtio-blk-pci,$m,drive=hd0,addr=0x4"
		matrix_nic_pair 0 0x5 0x6 "$m"
		matrix_drive "$dir" scsi 64
		echo "-device virtio-scsi-pci,$m,id=scsi0,addr=0x7"
		echo "-device scsi-hd,drive=scsi,bus=scsi0.0,channel=0,scsi-id=0,lun=0"
		echo "-object rng-random,id=rng0,filename=/dev/urandom"
		echo "-device virtio-rng-pci,$m,rng=rng0,addr=0x8"
		echo "-chardev socket,id=port0,path=$dir/port0.sock,server=on,wait=off"
		echo "-device virtio-serial-pci,$m,id=vser0,addr=0x9"
		echo "-device virtserialport,bus=vser0.0,chardev=port0,name=org.vpl.echo"
		echo "-device virtio-balloon-pci,$m,id=balloon0,addr=0xa"
		echo "-device virtio-keyboard-pci,$m,id=kbd0,addr=0xb"
		# S3 for the "mem" state (QEMU's q35 offers it unless disabled).
		echo "-global ICH9-LPC.disable_s3=0"
		;;
	m-many)
		# 32 disks: slots 0x04-0x07, eight functions each; the first is
		# disk.img.  Four NICs: slot 0x08, two pairs on two hubs.
		for i in $(seq 0 31); do
			slot=$(printf '0x%x.%d' $((4 + i / 8)) $((i % 8)))
			c=
			[ $((i % 8)) != 0 ] || c=,multifunction=on
			if [ "$i" != 0 ]; then
				matrix_drive "$dir" "mb$i" 8
				echo "-device virtio-blk-pci,$m,drive=mb$i,addr=$slot$c"
			else
				echo "-device virtio-blk-pci,$m,drive=hd0,addr=$slot$c"
			fi
		done
		for i in 0 1 2 3; do
			c=
			[ "$i" != 0 ] || c=,multifunction=on
			echo "-netdev hubport,id=n$i,hubid=$((i / 2))"
			echo "-device virtio-net-pci,$m,netdev=n$i,mac=52:54:00:4d:0$((i / 2)):0$((i % 2 + 1)),romfile=,addr=0x8.$i$c"
		done
		;;
	*) vpl_die "unknown matrix scenario '$scen'" ;;
	esac
}

# ---------------------------------------------------------------- host checks

# The image NAME.img of BOOT_DIR must hold the pattern at MiB offset OFF, or
# slice N (1 MiB at MiB N of the pattern) with "slice".
matrix_check_slice() {
	local img=$1 n=$2 pattern want got
	pattern=$("$VPL_SCRIPTS/pattern.sh")
	want=$(dd if="$pattern" bs=1M skip="$n" count=1 status=none | sha256sum)
	got=$(dd if="$img" bs=1M count=1 status=none | sha256sum)
	if [ "${got%% *}" = "${want%% *}" ]; then
		echo "$(basename "$img"): slice $n of the pattern intact"
	else
		echo "$(basename "$img"): sha256 ${got%% *}, want slice $n: ${want%% *}"
		return 1
	fi
}

matrix_host_check() {
	local scen=$3 name=$4 dir=$5 rc=0 i want got
	case $scen/$name in
	*/host-scsi) vpl_check_image "$dir/scsi.img" 0 ;;
	*/host-pmem) vpl_check_image "$dir/pmem.img" 0 ;;
	*/host-9p)
		# What the guest wrote into the share, as the host sees it.
		want=$(cat "$("$VPL_SCRIPTS/pattern.sh").sha256")
		got=$(sha256sum <"$dir/9p/to-host.bin" 2>/dev/null | cut -d' ' -f1)
		[ "$got" = "$want" ] || { echo "9p/to-host.bin: sha256 '$got', want $want"; rc=1; }
		if [ "$(cat "$dir/9p/dir/renamed.txt" 2>/dev/null)" != "written by the guest" ]; then
			echo "9p/dir/renamed.txt missing or wrong: $(ls -la "$dir/9p" "$dir/9p/dir" 2>&1)"
			rc=1
		fi
		[ ! -e "$dir/9p/dir/old.txt" ] || { echo "9p/dir/old.txt still exists after the rename"; rc=1; }
		[ "$rc" != 0 ] || echo "9p: the guest's files arrived intact"
		return "$rc"
		;;
	*/host-gpu)
		# The scanout QEMU showed after the guest's mode set.
		python3 "$MATRIX_DIR/ppm.py" "$dir/screen.ppm" 1024 768
		;;
	m-ring/host-ring-images)
		for i in 1 2 3 4 5 6 7; do
			vpl_check_image "$dir/r$i.img" 0 || rc=1
		done
		return "$rc"
		;;
	m-notify/host-images) vpl_check_image "$dir/p1.img" 0 ;;
	m-many/host-images)
		for i in $(seq 1 31); do
			matrix_check_slice "$dir/mb$i.img" "$((i % VPL_PATTERN_MIB))" || rc=1
		done
		return "$rc"
		;;
	*)
		echo "no host check '$name' in $scen"
		return 1
		;;
	esac
}

# ================================================================ guest side
# Feature bits (virtio 1.2 §6 and the device sections).
M_F_INDIRECT=28
M_F_EVENT_IDX=29
M_F_VERSION_1=32
M_F_ACCESS_PLATFORM=33
M_F_RING_PACKED=34
M_F_IN_ORDER=35
M_F_RING_RESET=40
M_F_NET_MQ=22

# ---------------------------------------------------------------- helpers

# PCI address of slot[.function] "SS.F" on the root bus.
m_bdf() {
	echo "0000:00:$1"
}

# True when module $1 (dashes or underscores) is in the initramfs or built in.
m_modfile() {
	local re
	re=$(echo "$1" | sed 's/[-_]/[-_]/g')
	grep -qE "/$re\.ko(:|\$)" "$MODDIR/modules.dep" "$MODDIR/modules.builtin"
}

m_load() {
	local m
	for m in "$@"; do
		m_modfile "$m" || fail "module $m is neither in the initramfs nor built in"
		modprobe "$m" || fail "modprobe $m failed"
	done
}

# The virtio driver bound to the virtio device below PCI function $1.
m_vdriver() {
	local v
	v=$(virtio_dev_of "$1") || { echo none; return 0; }
	if [ -e "/sys/bus/virtio/devices/$v/driver" ]; then
		basename "$(readlink "/sys/bus/virtio/devices/$v/driver")"
	else
		echo none
	fi
}

# True when $1 is bound to the transport under test and its virtio device
# to the class driver $2.
m_bound() {
	[ -e "$PCI_DEVS/$1" ] && [ "$(pci_driver_of "$1")" = "$(want_driver)" ] &&
		[ "$(m_vdriver "$1")" = "$2" ]
}

# m_bind "MODULES" SLOT=DRIVER...: loads the class drivers (virtio_blk and
# virtio_net always) and MODULES, then the transport; every listed function
# must end up on the transport with its class driver, and no other virtio
# function may exist.
m_bind() {
	local mods=$1 e bdf drv n=0 all
	shift
	check_cpus
	load_class_drivers
	# shellcheck disable=SC2086 # a list of modules
	m_load $mods
	load_transport
	assert_in_tree_away
	for e in "$@"; do
		bdf=$(m_bdf "${e%%=*}")
		drv=${e#*=}
		wait_for 60 m_bound "$bdf" "$drv" ||
			fail "$bdf: PCI driver '$(pci_driver_of "$bdf")', virtio driver '$(m_vdriver "$bdf")', want '$(want_driver)' and '$drv'"
		echo "$bdf [$(cat "$PCI_DEVS/$bdf/device")] $(want_driver) $(virtio_dev_of "$bdf") $drv"
		n=$((n + 1))
	done
	all=$(virtio_bdfs | wc -l)
	[ "$all" = "$n" ] || fail "$all virtio functions, want $n: $(virtio_bdfs | tr '\n' ' ')"
}

# Negotiated feature bit $2 (0 or 1) of the virtio device below function $1.
m_feature() {
	local v
	v=$(virtio_dev_of "$1") || fail "$1 has no virtio device"
	cut -c $(($2 + 1)) "/sys/bus/virtio/devices/$v/features"
}

m_want_feature() {
	local got
	got=$(m_feature "$1" "$2")
	[ "$got" = "$3" ] || fail "$1: feature bit $2 is $got, want $3 ($4)"
}

# The pattern on the disk of virtio-blk function $1 at MiB offset $2.
m_t_blk() {
	local dev
	dev=$(blkdev_of "$(m_bdf "$1")") || fail "$(m_bdf "$1") has no disk"
	blk_rw "/dev/$dev" "$2"
}

# Sum of the virtqueue interrupt counts of the virtio device below $1 (all
# its rows but the config vector).
m_vq_irqs() {
	local v
	v=$(virtio_dev_of "$1") || fail "$1 has no virtio device"
	irq_table >/tmp/irq.now
	vq_irq_total "$v" /tmp/irq.now
}

# True when function $1's virtqueues raised no interrupt for a second.
m_vq_quiet() {
	local a
	a=$(m_vq_irqs "$1")
	sleep 1
	[ "$(m_vq_irqs "$1")" = "$a" ]
}

memtotal_kb() {
	awk '/^MemTotal:/ { print $2 }' /proc/meminfo
}

# The memory size before virtio-mem plugs any, for the mem-* tests.
m_mem_snapshot() {
	memtotal_kb >/tmp/mem.base
}

memtotal_below() {
	[ "$(memtotal_kb)" -lt "$1" ]
}

memtotal_above() {
	[ "$(memtotal_kb)" -gt "$1" ]
}

# ---------------------------------------------------------------- network

# Pair H: NIC :01 in the initial namespace, :02 moved into namespace mH.
m_mac() {
	echo "52:54:00:4d:0$1:0$2"
}

m_ip() {
	echo "169.254.$((10 + $1)).$2"
}

m_pair_setup() {
	pair_setup "$(m_mac "$1" 1)" "$(m_ip "$1" 1)" "m$1" "$(m_mac "$1" 2)" "$(m_ip "$1" 2)"
}

m_ping() {
	local h=$1
	ping_all ping -c 5 -i 0.2 -w 30 "$(m_ip "$h" 2)"
	ping_all ip netns exec "m$h" ping -c 5 -i 0.2 -w 30 "$(m_ip "$h" 1)"
}

# httpd on both ends of pair $1 (killed when the test's shell exits).
m_httpd() {
	serve_pair "$(m_ip "$1" 1)" "m$1" "$(m_ip "$1" 2)"
}

# The pattern over TCP both ways on pair $1.
m_tcp() {
	local h=$1
	m_httpd "$h"
	fetch_check "$(m_ip "$h" 2)" ""
	fetch_check "$(m_ip "$h" 1)" "m$h"
	echo "pair $h: pattern over TCP both ways, sha256 matches"
}

m_t_pair() {
	m_pair_setup "$1"
	m_ping "$1"
	m_tcp "$1"
}

# ---------------------------------------------------------------- devices

# virtio-scsi $1: the disk behind it takes the pattern (the host checks
# scsi.img too).
m_scsi_disk() {
	local d
	for d in "$PCI_DEVS/$1"/virtio*/host*/target*/*/block/*; do
		[ -e "$d" ] && basename "$d" && return 0
	done
	return 1
}

m_t_scsi() {
	local bdf sd
	bdf=$(m_bdf "$1")
	wait_for 30 m_scsi_disk "$bdf" || fail "no SCSI disk behind $bdf"
	sd=$(m_scsi_disk "$bdf")
	echo "$bdf: SCSI disk $sd ($(cat "/sys/block/$sd/device/model" 2>/dev/null))"
	blk_rw "/dev/$sd" 0
}

# virtio-rng $1: /dev/hwrng set to it; two reads of 64 KiB must be full,
# differ and not be zeros, and the device's queue must have interrupted.
m_t_rng() {
	local bdf rng before after nz hw=/sys/class/misc/hw_random
	bdf=$(m_bdf "$1")
	rng=$(tr ' ' '\n' <"$hw/rng_available" | grep '^virtio_rng\.' | head -n 1)
	[ -n "$rng" ] || fail "no virtio_rng in rng_available: $(cat "$hw/rng_available")"
	echo "$rng" >"$hw/rng_current"
	[ "$(cat "$hw/rng_current")" = "$rng" ] || fail "rng_current is $(cat "$hw/rng_current")"
	before=$(m_vq_irqs "$bdf")
	head -c 65536 /dev/hwrng >/tmp/rng1
	head -c 65536 /dev/hwrng >/tmp/rng2
	after=$(m_vq_irqs "$bdf")
	[ "$(cat /tmp/rng1 /tmp/rng2 | wc -c)" = 131072 ] ||
		fail "short reads: $(stat -c %s /tmp/rng1) $(stat -c %s /tmp/rng2)"
	! cmp -s /tmp/rng1 /tmp/rng2 || fail "two reads returned the same bytes"
	nz=$(tr -d '\000' </tmp/rng1 | wc -c)
	[ "$nz" -gt 60000 ] || fail "only $nz non-zero bytes of 65536"
	[ "$after" -gt "$before" ] || fail "no virtqueue interrupt while reading ($before -> $after)"
	echo "$rng: 2 x 64 KiB from /dev/hwrng, distinct, interrupts $before -> $after"
}

# The character device of the virtio-serial port named $1.
m_port() {
	local p
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = "$1" ] && echo "/dev/${p##*/}" && return 0
	done
	return 1
}

# Sends $2 bytes of the pattern to tty or port $1 and reads back what the
# host agent echoes; both must be equal.  A port opens only once, so one
# descriptor carries both directions.  A tty ($3 = tty) is made raw while
# open: hvc resets its termios at every open.
m_echo() {
	local dev=$1 n=$2 rd
	head -c "$n" "$PATTERN" >/tmp/echo.out
	exec 5<>"$dev"
	[ "${3:-}" != tty ] || stty raw -echo <&5
	head -c "$n" <&5 >/tmp/echo.in &
	rd=$!
	cat /tmp/echo.out >&5
	wait "$rd"
	exec 5>&-
	cmp /tmp/echo.out /tmp/echo.in || fail "$dev: $(stat -c %s /tmp/echo.in) bytes came back, not the $n sent"
	echo "$dev: $n bytes to the host and back, identical"
}

m_t_serial() {
	local dev
	wait_for 30 m_port org.vpl.echo || fail "no port org.vpl.echo: $(ls /sys/class/virtio-ports)"
	dev=$(m_port org.vpl.echo)
	m_echo "$dev" "${1:-1048576}"
}

m_t_console() {
	wait_for 30 m_port org.vpl.console || fail "no console port: $(ls /sys/class/virtio-ports)"
	[ -c /dev/hvc0 ] || fail "no /dev/hvc0"
	m_echo /dev/hvc0 16384 tty
}

# virtio-balloon: the host sets the target to $1 MiB; MemTotal must drop by
# at least 90% of $2 MiB, and come back when the target is $3 MiB again.
m_t_balloon() {
	local target=$1 drop=$2 full=$3 m0 m1 m2
	m0=$(memtotal_kb)
	host_request "balloon $target"
	wait_for 120 memtotal_below $((m0 - drop * 1024 * 9 / 10)) ||
		fail "MemTotal $(memtotal_kb) kB, want below $((m0 - drop * 1024 * 9 / 10)) kB"
	m1=$(memtotal_kb)
	host_request "balloon $full"
	wait_for 120 memtotal_above $((m0 - 16 * 1024)) ||
		fail "MemTotal $(memtotal_kb) kB after deflating, want about $m0 kB"
	m2=$(memtotal_kb)
	echo "balloon: MemTotal $m0 -> $m1 -> $m2 kB"
}

# True when the input events in file $1 hold key $2 pressed (value 1) and
# released (0): struct input_event is 24 bytes on x86-64, type, code and
# value at bytes 16, 18 and 20.
m_key_seen() {
	od -An -v -tx1 -w24 "$1" | awk -v code="$(printf '%02x' "$2")" '
		$17 == "01" && $18 == "00" && $19 == code && $20 == "00" {
			if ($21 == "01") down = 1; else if ($21 == "00") up = 1
		} END { exit !(down && up) }'
}

# virtio-keyboard $1: a key the host presses through QMP must reach the
# function's event device.
m_t_input() {
	local bdf d ev rd
	bdf=$(m_bdf "$1")
	for d in "$PCI_DEVS/$bdf"/virtio*/input/input*/event*; do
		[ -e "$d" ] && ev=${d##*/}
	done
	[ -n "${ev:-}" ] || fail "no event device below $bdf"
	echo "$bdf: $ev, $(cat "$PCI_DEVS/$bdf"/virtio*/input/input*/name)"
	timeout 60 cat "/dev/input/$ev" >/tmp/ev.bin &
	rd=$!
	usleep 300000
	host_request "key a"
	wait_for 20 m_key_seen /tmp/ev.bin 30 || {
		kill "$rd" 2>/dev/null
		od -An -v -tx1 -w24 /tmp/ev.bin | head -n 10
		fail "KEY_A press and release did not arrive on $ev"
	}
	kill "$rd" 2>/dev/null || true
	echo "$ev: KEY_A pressed and released"
}

# virtio-9p: mount the host's folder, read the host's file, write files
# (the host checks them after the boot: host-9p).
m_t_9p() {
	local want got mnt=/mnt/9p
	mkdir -p "$mnt"
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vplshare "$mnt" ||
		fail "mount vplshare failed"
	want=$(cat "$mnt/from-host.sha256")
	got=$(sha256sum <"$mnt/from-host.bin")
	[ "${got%% *}" = "$want" ] || fail "from-host.bin: sha256 ${got%% *}, want $want"
	cp "$PATTERN" "$mnt/to-host.bin"
	mkdir -p "$mnt/dir"
	echo "written by the guest" >"$mnt/dir/old.txt"
	mv "$mnt/dir/old.txt" "$mnt/dir/renamed.txt"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	got=$(sha256sum <"$mnt/to-host.bin")
	[ "${got%% *}" = "$PATTERN_SUM" ] || fail "to-host.bin reads back sha256 ${got%% *}"
	ls "$mnt/dir"
	umount "$mnt"
	echo "9p: read the host's 1 MiB, wrote $PATTERN_MIB MiB and a renamed file"
}

# The DRM card of function $1.
m_card() {
	local c
	for c in /sys/class/drm/card[0-9]*; do
		case $c in *-*) continue ;; esac
		# virtio-gpu hangs its DRM device on the PCI function.
		case $(readlink -f "$c/device") in
		*"/$1") basename "$c" && return 0 ;;
		esac
	done
	return 1
}

# True when an enabled CRTC of a DRM device runs mode $1.
m_crtc_mode() {
	grep -q "mode: \"$1\"" /sys/kernel/debug/dri/*/state
}

# virtio-gpu $1: a DRM card below it with a connected output; modetest sets
# 1024x768 and draws its test picture; the host takes a screendump while it
# shows (host-gpu checks that the scanout is 1024x768 with a picture).
m_t_gpu() {
	local bdf card conn id n pid v vt
	bdf=$(m_bdf "$1")
	wait_for 30 m_card "$bdf" || fail "no DRM card below $bdf: $(ls /sys/class/drm)"
	card=$(m_card "$bdf")
	[ -c "/dev/dri/$card" ] || fail "no /dev/dri/$card"
	echo "$card: below $bdf, virtio driver $(m_vdriver "$bdf")"
	for conn in /sys/class/drm/"$card"-*; do
		echo "${conn##*/}: $(cat "$conn/status"), modes: $(tr '\n' ' ' <"$conn/modes" | cut -c 1-80)"
	done
	modetest -M virtio_gpu -c >/tmp/mt.conn 2>&1 || { cat /tmp/mt.conn; fail "modetest -c failed"; }
	id=$(awk '$3 == "connected" { print $1; exit }' /tmp/mt.conn)
	[ -n "$id" ] || { cat /tmp/mt.conn; fail "no connected connector"; }
	rm -f /tmp/mt.in
	mkfifo /tmp/mt.in
	modetest -M virtio_gpu -s "$id:1024x768" </tmp/mt.in >/tmp/mt.log 2>&1 &
	pid=$!
	exec 6>/tmp/mt.in
	# modetest's stdout is a file, so buffered: the kernel's atomic state
	# (debugfs) tells when the CRTC runs the new mode.
	mount_debugfs
	wait_for 30 m_crtc_mode 1024x768 || {
		cat /tmp/mt.log /sys/kernel/debug/dri/*/state
		fail "the CRTC did not take 1024x768"
	}
	grep -E 'crtc\[|mode:' /sys/kernel/debug/dri/*/state | head -n 4
	sleep 1
	host_request screendump
	# A newline ends modetest, which restores the console's mode.
	echo >&6
	exec 6>&-
	wait "$pid" || fail "modetest exit status $?"
	cat /tmp/mt.log
	echo "$card: connector $id set to 1024x768, screendump taken"
	# Unbound here, not left to power-off: there the virtio core breaks
	# the device while DRM may still queue a command, and virtio_gpu
	# WARNs on the -EIO (seen on 6.1 with the in-tree transport too).
	# And only once the device is idle: virtio_gpu frees a buffer when
	# the device answers its RESOURCE_UNREF, and 7.2's, unbound with
	# answers pending, leaves the buffers' mmap offsets behind and WARNs
	# in drm_mm_takedown() (seen with the in-tree transport too).  The
	# console lets go of it first: its cursor keeps the device busy.
	for vt in /sys/class/vtconsole/vtcon*; do
		! grep -q 'frame buffer' "$vt/name" 2>/dev/null || echo 0 >"$vt/bind"
	done
	# m_vq_quiet takes a second: at most ten tries.
	n=10
	until m_vq_quiet "$bdf"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || fail "virtio-gpu did not go idle in 10 s"
	done
	v=$(virtio_dev_of "$bdf")
	echo "$v" >/sys/bus/virtio/drivers/virtio_gpu/unbind
	[ ! -e "/sys/class/drm/$card" ] || fail "$card outlived virtio_gpu's unbind"
	echo "$v: virtio_gpu unbound, $card gone"
}

# virtio-crypto $1: its AES-CBC skcipher (driver virtio_crypto_aes_cbc)
# checked against known answers, the device's data queue interrupting.
# Where AF_ALG offers it (6.1, 6.12): the NIST vectors and 64 KiB
# cross-checked against the kernel's generic AES (tests/matrix/afalg.c).
# Linux 7.x's AF_ALG offers no asynchronous algorithm (afalg exits 3):
# there the kernel's own self-test of the driver, testmgr's AES-CBC vectors
# run through the device as it registers, must have passed, and must have
# run (/proc/crypto says "passed" with cryptomgr.notests too).
m_crypto_registered() {
	grep -q '^driver *: virtio_crypto_aes_cbc$' /proc/crypto
}

# The self-test verdict /proc/crypto gives virtio_crypto_aes_cbc.
m_crypto_selftest() {
	awk '$1 == "driver" { d = $3 } $1 == "selftest" && d == "virtio_crypto_aes_cbc" { print $3 }' /proc/crypto
}

m_crypto_tested() {
	[ -n "$(m_crypto_selftest)" ] && [ "$(m_crypto_selftest)" != unknown ]
}

m_t_crypto() {
	local bdf before after rc=0
	bdf=$(m_bdf "$1")
	wait_for 60 m_crypto_registered ||
		fail "virtio_crypto_aes_cbc not registered: $(grep -A3 virtio_crypto /proc/crypto)"
	before=$(m_vq_irqs "$bdf")
	afalg virtio_crypto_aes_cbc || rc=$?
	if [ "$rc" = 3 ]; then
		echo "this kernel's AF_ALG offers no asynchronous algorithm: the kernel's self-test is the check"
		[ "$(cat /sys/module/cryptomgr/parameters/notests 2>/dev/null)" = N ] ||
			fail "the kernel's crypto self-tests are off (cryptomgr.notests): nothing checks the device's AES here"
		# A failed self-test is a WARN (the guest ends, panic_on_warn);
		# one that has not finished, or did not run, reads "unknown".
		wait_for 30 m_crypto_tested ||
			fail "the self-test of virtio_crypto_aes_cbc: '$(m_crypto_selftest)' after 30 s (not run, or not finished)"
		[ "$(m_crypto_selftest)" = passed ] ||
			fail "the self-test of virtio_crypto_aes_cbc: $(m_crypto_selftest)"
		echo "virtio_crypto_aes_cbc: self-test passed"
		# It ran as the device registered, before the count above.
		before=0
	elif [ "$rc" != 0 ]; then
		fail "AES-CBC through virtio-crypto failed"
	fi
	after=$(m_vq_irqs "$bdf")
	[ "$after" -gt "$before" ] || fail "no virtqueue interrupt during the requests ($before -> $after)"
	echo "virtio_crypto_aes_cbc: virtqueue interrupts $before -> $after"
}

# ---------------------------------------------------------------- m-devices

# Slots: 04 blk (disk.img), 05 scsi, 06 rng, 07 serial (port + console),
# 08 balloon, 09 keyboard, 0a 9p, 0b gpu, 0c crypto.  1 GiB of RAM.
# algif_skcipher is loaded before the crypto device comes up: virtio-crypto
# registers an "rsa" of higher priority than the kernel's own, which QEMU
# 7.2 computes wrongly, and 6.1 then rejects every module signature.
scenario_m_devices() {
	run_test bind 240 m_bind "algif_skcipher virtio_scsi sd_mod virtio_rng virtio_console virtio_balloon virtio_input evdev 9pnet_virtio 9p virtio_gpu virtio_crypto" \
		04.0=virtio_blk 05.0=virtio_scsi 06.0=virtio_rng 07.0=virtio_console \
		08.0=virtio_balloon 09.0=virtio_input 0a.0=9pnet_virtio 0b.0=virtio_gpu \
		0c.0=virtio_crypto
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test scsi 180 m_t_scsi 05.0
	run_test rng 60 m_t_rng 06.0
	run_test serial 120 m_t_serial
	run_test console 120 m_t_console
	run_test balloon 300 m_t_balloon 512 512 1024
	run_test input 60 m_t_input 09.0
	run_test 9p 120 m_t_9p
	run_test gpu 120 m_t_gpu 0b.0
	run_test crypto 120 m_t_crypto 0c.0
}

# ---------------------------------------------------------------- m-memdev

# virtio-pmem 05: /dev/pmem0 below it takes the pattern, and the fsync goes
# to the device as a flush request (the host checks pmem.img: host-pmem).
m_t_pmem() {
	local bdf before after
	bdf=$(m_bdf "$1")
	wait_for 30 test -b /dev/pmem0 || fail "no /dev/pmem0: $(ls /sys/block)"
	case $(readlink -f /sys/block/pmem0) in
	*"/$bdf/"virtio*) ;;
	*) fail "pmem0 is not below $bdf: $(readlink -f /sys/block/pmem0)" ;;
	esac
	before=$(m_vq_irqs "$bdf")
	blk_rw /dev/pmem0 0
	after=$(m_vq_irqs "$bdf")
	[ "$after" -gt "$before" ] || fail "no flush request completed ($before -> $after interrupts)"
	echo "pmem0: flush requests completed, interrupts $before -> $after"
}

# virtio-mem 06 (requested-size 128 MiB at boot): the host grows it to 384
# MiB, then shrinks it to 0; MemTotal follows (base: before the driver).
m_t_mem_plug() {
	local base
	base=$(cat /tmp/mem.base)
	wait_for 60 memtotal_above $((base + 120 * 1024)) ||
		fail "MemTotal $(memtotal_kb) kB, want 128 MiB above $base kB"
	echo "virtio-mem: MemTotal $base -> $(memtotal_kb) kB (128 MiB plugged at boot)"
	host_request "mem-size vmem0dev 384"
	wait_for 120 memtotal_above $((base + 376 * 1024)) ||
		fail "MemTotal $(memtotal_kb) kB, want 384 MiB above $base kB"
	echo "virtio-mem: MemTotal $(memtotal_kb) kB after growing to 384 MiB"
}

m_t_mem_unplug() {
	local base
	base=$(cat /tmp/mem.base)
	host_request "mem-size vmem0dev 0"
	wait_for 120 memtotal_below $((base + 8 * 1024)) ||
		fail "MemTotal $(memtotal_kb) kB, want back to about $base kB"
	echo "virtio-mem: MemTotal $(memtotal_kb) kB after unplugging all"
}

scenario_m_memdev() {
	setup m_mem_snapshot
	run_test bind 180 m_bind "virtio_pmem nd_pmem virtio_mem" \
		04.0=virtio_blk 05.0=virtio_pmem 06.0=virtio_mem
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test pmem 180 m_t_pmem 05.0
	run_test mem-plug 240 m_t_mem_plug
	run_test mem-unplug 240 m_t_mem_unplug
}

# ---------------------------------------------------------------- m-transitional

# Every function is transitional (device ID 0x1000-0x103f) and must have
# negotiated VIRTIO_F_VERSION_1: driven through its virtio 1.x capabilities,
# not the legacy I/O BAR (a legacy driver cannot negotiate bit 32).
m_t_modern() {
	local bdf id line
	for bdf in $(virtio_bdfs); do
		id=$(cat "$PCI_DEVS/$bdf/device")
		case $id in 0x10[0-3]?) ;; *) fail "$bdf: device ID $id is not transitional" ;; esac
		m_want_feature "$bdf" $M_F_VERSION_1 1 VERSION_1
		if [ "$TRANSPORT" = ours ]; then
			line=$(dmesg | grep "virtio-pci-layout $bdf: .* layout:" | tail -n 1)
			case $line in *"virtio 1.x layout"*) ;; *) fail "$bdf: probe line '$line'" ;; esac
		fi
		echo "$bdf [$id]: VERSION_1 negotiated"
	done
}

# Slots: 04 blk, 05/06 NIC pair 0, 07 scsi, 08 rng, 09 serial, 0a balloon,
# 0b 9p; all transitional.  512 MiB of RAM.
scenario_m_transitional() {
	run_test bind 180 m_bind "virtio_scsi sd_mod virtio_rng virtio_console virtio_balloon 9pnet_virtio 9p" \
		04.0=virtio_blk 05.0=virtio_net 06.0=virtio_net 07.0=virtio_scsi \
		08.0=virtio_rng 09.0=virtio_console 0a.0=virtio_balloon 0b.0=9pnet_virtio
	run_test modern 30 m_t_modern
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test net 180 m_t_pair 0
	run_test scsi 180 m_t_scsi 07.0
	run_test rng 60 m_t_rng 08.0
	run_test serial 120 m_t_serial
	run_test balloon 300 m_t_balloon 256 256 512
	run_test 9p 120 m_t_9p
}

# ---------------------------------------------------------------- m-ring

# Checks the ring features of function $1 against combination $2 (split or
# packed, noevt, noind: see MATRIX_RING_BLK on the host).
m_ring_features() {
	local bdf=$1 c=$2 p=0 e=1 i=1
	case $c in packed*) p=1 ;; esac
	case $c in *noevt*) e=0 ;; esac
	case $c in *noind*) i=0 ;; esac
	m_want_feature "$bdf" $M_F_RING_PACKED $p RING_PACKED
	m_want_feature "$bdf" $M_F_EVENT_IDX $e EVENT_IDX
	m_want_feature "$bdf" $M_F_INDIRECT $i INDIRECT_DESC
	echo "$bdf: packed=$p event_idx=$e indirect=$i negotiated"
}

m_t_ring_blk() {
	m_ring_features "$(m_bdf "$1")" "$2"
	m_t_blk "$1" 0
}

m_t_ring_net() {
	m_ring_features "$(m_bdf "$1")" "$3"
	m_ring_features "$(m_bdf "$2")" "$3"
	m_t_pair "$4"
}

# Disks at 04-0b, one ring combination each (vpl.ring_blk=); NIC pairs at
# 0c/0d, 0e/0f, 10/11 (vpl.ring_net=), on hubs 0-2.
scenario_m_ring() {
	local c i=0 e=''
	for c in $(cmdline vpl.ring_blk | tr , ' '); do
		e="$e $(printf '%02x' $((4 + i))).0=virtio_blk"
		i=$((i + 1))
	done
	i=0
	for c in $(cmdline vpl.ring_net | tr , ' '); do
		e="$e $(printf '%02x' $((12 + 2 * i))).0=virtio_net $(printf '%02x' $((13 + 2 * i))).0=virtio_net"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086 # a list of slots
	run_test bind 180 m_bind "" $e
	i=0
	for c in $(cmdline vpl.ring_blk | tr , ' '); do
		run_test "blk-$c" 120 m_t_ring_blk "$(printf '%02x' $((4 + i))).0" "$c"
		i=$((i + 1))
	done
	i=0
	for c in $(cmdline vpl.ring_net | tr , ' '); do
		run_test "net-$c" 180 m_t_ring_net "$(printf '%02x' $((12 + 2 * i))).0" \
			"$(printf '%02x' $((13 + 2 * i))).0" "$c" "$i"
		i=$((i + 1))
	done
}

# ---------------------------------------------------------------- m-notify

# The first I/O BAR of function $1 as "INDEX START" (hex start).
m_io_bar() {
	local i=0 start flags
	while read -r start _ flags; do
		[ "$i" -lt 6 ] || break
		if [ $((flags & 0x100)) != 0 ]; then
			printf '%d %x\n' "$i" $((start))
			return 0
		fi
		i=$((i + 1))
	done <"$PCI_DEVS/$1/resource"
	return 1
}

# modern-pio-notify=on puts a notify capability in an I/O BAR first in the
# capability list, and both transports take the first usable one.  Ours
# names it in debugfs; both must have claimed that I/O BAR (/proc/ioports
# nests the claim, by driver name, below the BAR).
m_t_pio_notify() {
	local slot bdf io bar start
	for slot in "$@"; do
		bdf=$(m_bdf "$slot")
		io=$(m_io_bar "$bdf") || fail "$bdf: no I/O BAR"
		bar=${io% *}
		start=${io#* }
		if [ "$TRANSPORT" = ours ]; then
			mount_debugfs
			grep '^notify' "/sys/kernel/debug/virtio-pci-layout/$bdf"
			grep -q "^notify: BAR$bar+" "/sys/kernel/debug/virtio-pci-layout/$bdf" ||
				fail "$bdf: the notify region is not the I/O BAR$bar"
		fi
		grep -i -A1 "^ *0*$start-" /proc/ioports | sed 's/^/  /'
		grep -i -A1 "^ *0*$start-" /proc/ioports | grep -q -E 'virtio-pci|virtio_pci' ||
			fail "$bdf: the I/O BAR$bar at 0x$start is not claimed by the transport"
		echo "$bdf: notify through the I/O BAR$bar at 0x$start"
	done
}


# page-per-vq=on: a notify_off_multiplier of 4096.  Ours: debugfs shows it
# and each doorbell at queue index x 4096.  Either transport: QEMU picks the
# queue from the doorbell's address, so I/O on every queue (blk-page, net)
# only works with the right placement.
m_t_page_per_vq() {
	local slot bdf f
	for slot in "$@"; do
		bdf=$(m_bdf "$slot")
		[ "$TRANSPORT" = ours ] || { echo "$bdf: in-tree driver, judged by I/O"; continue; }
		mount_debugfs
		f=/sys/kernel/debug/virtio-pci-layout/$bdf
		grep -E '^(notify|queue)' "$f"
		grep -qx 'notify_off_multiplier: 4096' "$f" || fail "$bdf: multiplier is not 4096"
		awk '/^queue / { q = $2; sub(/:/, "", q)
			if ($6 != sprintf("+0x%x", q * 4096)) { print "queue " q " at " $6; bad = 1 } }
			END { exit bad }' "$f" || fail "$bdf: doorbells not a page apart"
	done
}

# Slots: 04 blk pio-notify (disk.img), 05 blk page-per-vq, 06/07 NIC pair 0
# (A pio-notify, B page-per-vq).
scenario_m_notify() {
	run_test bind 180 m_bind "" 04.0=virtio_blk 05.0=virtio_blk 06.0=virtio_net 07.0=virtio_net
	run_test pio-notify 30 m_t_pio_notify 04.0 06.0
	run_test page-per-vq 30 m_t_page_per_vq 05.0 07.0
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test blk-page 180 m_t_blk 05.0 0
	run_test net 180 m_t_pair 0
}

# ---------------------------------------------------------------- m-vectors

# Interrupt mode of each function "SLOT=MODE" as /proc/interrupts shows it
# (check_irq_rows in lib.sh), and, for ours, as debugfs names it.
m_t_irq_modes() {
	local e bdf mode v rows
	for e in "$@"; do
		bdf=$(m_bdf "${e%%=*}")
		mode=${e#*=}
		# The in-tree transport's slow-path rung is for its admin
		# queue only: its virtio-scsi shares one vector.
		[ "$mode" != slow ] || [ "$TRANSPORT" = ours ] || mode=shared
		v=$(virtio_dev_of "$bdf") || fail "$bdf has no virtio device"
		rows=$(irq_table | irq_rows_of "$v")
		echo "$bdf $v ($mode):"
		echo "$rows" | sed 's/^/    /'
		check_irq_rows "$bdf" "$v" "$mode" "$rows"
		if [ "$TRANSPORT" = ours ]; then
			mount_debugfs
			case $mode in shared) mode=msix-shared ;; pervq) mode=msix-per-vq ;; slow) mode=msix-shared-slow ;; esac
			grep -qx "irq_mode: $mode" "/sys/kernel/debug/virtio-pci-layout/$bdf" ||
				fail "$bdf: debugfs says $(grep irq_mode "/sys/kernel/debug/virtio-pci-layout/$bdf")"
		fi
	done
}

# The interrupt count of the config vector row of virtio device $1.
m_config_irqs() {
	irq_table | irq_rows_of "$1" | awk -v n="$1-config" '$4 == n { print $3 }'
}

# True when virtio-scsi function $1 has $2 disks or more.
m_scsi_disks() {
	[ "$(ls -d "$PCI_DEVS/$1"/virtio*/host*/target*/*/block/* 2>/dev/null | wc -l)" -ge "$2" ]
}

# A SCSI disk hot-plugged on virtio-scsi $1 reaches the guest through the
# device's event queue (the driver rescans on the event): with the queue
# on the slow path (ours, msix-shared-slow), through the config vector.
m_t_scsi_event() {
	local bdf v before after
	bdf=$(m_bdf "$1")
	v=$(virtio_dev_of "$bdf") || fail "$bdf has no virtio device"
	before=$(m_config_irqs "$v")
	host_request "plug-scsi scsi1 scsi0.0 scsi2.img"
	wait_for 30 m_scsi_disks "$bdf" 2 ||
		fail "the hot-plugged SCSI disk did not appear: no event from the event queue"
	ls -d "$PCI_DEVS/$bdf"/virtio*/host*/target*/*/block/*
	after=$(m_config_irqs "$v")
	echo "$v-config: ${before:-?} -> ${after:-?} interrupts"
	[ "$TRANSPORT" != ours ] || [ "${after:-0}" -gt "${before:-0}" ] ||
		fail "$v: the event came, but not through the config vector"
}

# Slots: 04 blk, 2 queues in use and 2 vectors (shared); 05 blk vectors=1
# (INTx); 06/07 NIC pair 0, A with 2 vectors for 2 queues with callbacks
# (shared), B vectors=1; 08 serial, 18 queues and 4 vectors (shared); 09
# virtio-scsi, control, event and 2 request queues, 3 vectors (slow).
scenario_m_vectors() {
	run_test bind 180 m_bind "virtio_console virtio_scsi sd_mod" 04.0=virtio_blk 05.0=virtio_blk \
		06.0=virtio_net 07.0=virtio_net 08.0=virtio_console 09.0=virtio_scsi
	setup irq_snapshot
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test blk-intx 180 m_t_blk 05.0 0
	run_test net 180 m_t_pair 0
	run_test serial 120 m_t_serial
	run_test scsi 180 m_t_scsi 09.0
	run_test irq-modes 60 m_t_irq_modes 04.0=shared 05.0=intx 06.0=shared 07.0=intx 08.0=shared 09.0=slow
	run_test irq-counts 60 t_irq_counts
	run_test scsi-event 120 m_t_scsi_event 09.0
}

# ---------------------------------------------------------------- m-mq

# Both multiqueue NICs (05, 06: mq=on, 4 queue pairs, vectors=10): MQ
# negotiated, all 4 pairs enabled, and a vector of its own for every queue
# with a callback (config + 4 input + 4 output).
m_t_mq_vectors() {
	local slot bdf v nic rows n
	for slot in 05.0 06.0; do
		bdf=$(m_bdf "$slot")
		m_want_feature "$bdf" $M_F_NET_MQ 1 VIRTIO_NET_F_MQ
		nic=$(ls "$PCI_DEVS/$bdf"/virtio*/net/)
		ethtool -L "$nic" combined 4 || fail "$nic: ethtool -L combined 4 failed"
		ethtool -l "$nic" | tail -n 5
		v=$(virtio_dev_of "$bdf")
		rows=$(irq_table | irq_rows_of "$v")
		echo "$rows" | sed 's/^/    /'
		for n in 0 1 2 3; do
			echo "$rows" | grep -q " $v-input\\.$n\$" || fail "$v: no vector for input.$n"
			echo "$rows" | grep -q " $v-output\\.$n\$" || fail "$v: no vector for output.$n"
		done
		n=$(echo "$rows" | grep -c .)
		[ "$n" = 9 ] || fail "$v: $n interrupt rows, want 9"
		# msix_count also fails on a vector that is not MSI-X.
		[ "$(msix_count "$bdf")" = 9 ] || fail "$v: $(msix_count "$bdf") MSI-X vectors, want 9"
	done
}

# Many short TCP connections both ways between the multiqueue NICs (pair 0,
# bridged on the host): each connection hashes to a queue (XPS and the
# host's multiqueue tap both pick by flow), so the vector of every input
# and output queue of both NICs must fire.  (Per-queue packet counters are
# no help: 6.12 moved them from ethtool -S to netlink queue statistics.)
m_t_mq_traffic() {
	local i before after v q d
	m_pair_setup 0
	head -c 65536 "$PATTERN" >/vpl/www/small.bin
	irq_table >/tmp/irq.mq0
	m_ping 0
	m_httpd 0
	i=0
	while [ "$i" -lt 32 ]; do
		fetch_check "$(m_ip 0 2)" "" small.bin
		fetch_check "$(m_ip 0 1)" m0 small.bin
		i=$((i + 1))
	done
	irq_table >/tmp/irq.mq1
	for v in $(virtio_dev_of "$(m_bdf 05.0)") $(virtio_dev_of "$(m_bdf 06.0)"); do
		for q in 0 1 2 3; do
			for d in input output; do
				before=$(irq_rows_of "$v" </tmp/irq.mq0 | awk -v n="$v-$d.$q" '$4 == n { print $3 }')
				after=$(irq_rows_of "$v" </tmp/irq.mq1 | awk -v n="$v-$d.$q" '$4 == n { print $3 }')
				echo "$v-$d.$q: ${before:-?} -> ${after:-?}"
				[ "${after:-0}" -gt "${before:-0}" ] || fail "$v-$d.$q did not fire: the traffic did not reach queue pair $q"
			done
		done
	done
	echo "64 connections: every queue of both NICs carried traffic"
}

# The ring size of every queue of interface $1 in namespace $2: ethtool -g
# "Current hardware settings" RX and TX.
m_ring_size() {
	if [ -n "$2" ]; then ip netns exec "$2" ethtool -g "$1"; else ethtool -g "$1"; fi |
		awk '/^Current/ { c = 1 } c && /^(RX|TX):/ { printf "%s%s", s, $2; s = "/" } END { print "" }'
}

# Per-queue reset: ethtool -G resizes every ring of both multiqueue NICs
# from 256 to 128 (virtio-net resets and re-enables each queue); ours shows
# every rx/tx queue at 128 in debugfs; traffic flows afterwards.
m_t_ring_resize() {
	local slot bdf nic ns got
	for slot in 05.0 06.0; do
		bdf=$(m_bdf "$slot")
		m_want_feature "$bdf" $M_F_RING_RESET 1 RING_RESET
		ns=
		nic=$(ls "$PCI_DEVS/$bdf"/virtio*/net/ 2>/dev/null)
		[ -n "$nic" ] || { ns=m0; nic=$(nic_by_mac "$(m_mac 0 2)" m0); }
		echo "$nic: ring $(m_ring_size "$nic" "$ns") before"
		if [ -n "$ns" ]; then
			ip netns exec "$ns" ethtool -G "$nic" rx 128 tx 128 || fail "$nic: ethtool -G failed"
		else
			ethtool -G "$nic" rx 128 tx 128 || fail "$nic: ethtool -G failed"
		fi
		got=$(m_ring_size "$nic" "$ns")
		[ "$got" = 128/128 ] || fail "$nic: ring $got after ethtool -G rx 128 tx 128"
		echo "$nic: ring $got after"
		if [ "$TRANSPORT" = ours ]; then
			mount_debugfs
			awk '/^queue / { q = $2; sub(/:/, "", q); if (q < 8 && $4 != 128) { print "queue " q " size " $4; bad = 1 } }
				END { exit bad }' "/sys/kernel/debug/virtio-pci-layout/$bdf" ||
				fail "$bdf: debugfs shows queues not at 128"
		fi
	done
	m_ping 0
	m_tcp 0
}

# The device offers no RING_RESET (queue_reset=off, pair 1): ethtool -G must
# fail cleanly, the ring keep its size and the NIC keep working.
m_t_ring_resize_unsupported() {
	local bdf nic
	bdf=$(m_bdf 07.0)
	m_want_feature "$bdf" $M_F_RING_RESET 0 RING_RESET
	m_pair_setup 1
	nic=$(nic_by_mac "$(m_mac 1 1)")
	! ethtool -G "$nic" rx 128 tx 128 || fail "$nic: ethtool -G succeeded without RING_RESET"
	[ "$(m_ring_size "$nic" "")" = 256/256 ] || fail "$nic: ring $(m_ring_size "$nic" "") after a refused resize"
	dmesg | tail -n 5
	m_ping 1
	m_tcp 1
}

# Slots: 04 blk; 05/06 multiqueue NICs (pair 0) on host taps; 07/08 NIC
# pair 1 with queue_reset=off on a hub.
scenario_m_mq() {
	run_test bind 180 m_bind "" 04.0=virtio_blk 05.0=virtio_net 06.0=virtio_net 07.0=virtio_net 08.0=virtio_net
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test mq-vectors 60 m_t_mq_vectors
	run_test mq-traffic 300 m_t_mq_traffic
	run_test ring-resize 240 m_t_ring_resize
	run_test ring-resize-unsupported 180 m_t_ring_resize_unsupported
}

# ---------------------------------------------------------------- m-inorder

# IN_ORDER (bit 35) on every function $@ exactly when this kernel's
# virtio_ring does in-order (QEMU offers it on each): the ring's in-order
# code is in the kernel's BTF, or its symbols.
m_t_in_order() {
	local want=0 slot
	if grep -q detach_buf_split_in_order /sys/kernel/btf/vmlinux 2>/dev/null ||
		grep -q ' detach_buf_split_in_order' /proc/kallsyms; then
		want=1
	fi
	echo "this kernel's virtio_ring: in-order support $([ "$want" = 1 ] && echo yes || echo no)"
	for slot in "$@"; do
		m_want_feature "$(m_bdf "$slot")" $M_F_IN_ORDER $want IN_ORDER
		echo "$slot: IN_ORDER $([ "$want" = 1 ] && echo negotiated || echo not negotiated)"
	done
}

scenario_m_inorder() {
	run_test bind 180 m_bind "" 04.0=virtio_blk 05.0=virtio_net 06.0=virtio_net
	run_test in-order 30 m_t_in_order 04.0 05.0 06.0
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test net 180 m_t_pair 0
}

# ---------------------------------------------------------------- m-tunnel

# UDP tunnel GSO, bits 65-68 (virtio-net, virtio 1.4): GUEST_UDP_TUNNEL_GSO,
# its _CSUM, HOST_UDP_TUNNEL_GSO, its _CSUM.
M_F_NET_TUNNEL="65 66 67 68"

# The negotiated features of the virtio device below function $1, as the
# core shows them: one character per bit, 128 from 6.17 on (64 before).
m_features() {
	local v
	v=$(virtio_dev_of "$1") || fail "$1 has no virtio device"
	cat "/sys/bus/virtio/devices/$v/features"
}

# Function $1 driven by PCI driver $2 and virtio driver $3.
m_on() {
	[ "$(pci_driver_of "$1")" = "$2" ] && [ "$(m_vdriver "$1")" = "$3" ]
}

# The disk (04) and both NICs (05, 06) come up on the in-tree virtio-pci,
# which this boot has registered (also for ours: the scenario is exempt
# from the boot's initcall_blacklist); their features are kept in
# /tmp/features.SLOT.  Ours then takes each over (unbind, driver_override,
# drivers_probe), and its features are kept in /tmp/features.SLOT.ours.
m_t_tunnel_bind() {
	local e slot drv bdf
	check_cpus
	load_class_drivers
	m_load vxlan
	[ -e "$PCI_DRVS/virtio-pci" ] || m_load virtio_pci
	for e in 04.0=virtio_blk 05.0=virtio_net 06.0=virtio_net; do
		slot=${e%%=*} drv=${e#*=}
		bdf=$(m_bdf "$slot")
		wait_for 60 m_on "$bdf" virtio-pci "$drv" ||
			fail "$bdf: PCI driver '$(pci_driver_of "$bdf")', virtio driver '$(m_vdriver "$bdf")', want virtio-pci and $drv"
		m_features "$bdf" >"/tmp/features.$slot"
		echo "$bdf virtio-pci: $(cat "/tmp/features.$slot")"
	done
	[ "$TRANSPORT" = ours ] || return 0
	load_transport
	for e in 04.0=virtio_blk 05.0=virtio_net 06.0=virtio_net; do
		slot=${e%%=*} drv=${e#*=}
		bdf=$(m_bdf "$slot")
		echo "$bdf" >"$PCI_DRVS/virtio-pci/unbind"
		echo virtio-pci-layout >"$PCI_DEVS/$bdf/driver_override"
		echo "$bdf" >/sys/bus/pci/drivers_probe
		wait_for 60 m_on "$bdf" virtio-pci-layout "$drv" ||
			fail "$bdf: PCI driver '$(pci_driver_of "$bdf")', virtio driver '$(m_vdriver "$bdf")', want virtio-pci-layout and $drv"
		m_features "$bdf" >"/tmp/features.$slot.ours"
		echo "$bdf virtio-pci-layout: $(cat "/tmp/features.$slot.ours")"
	done
}

# The 128 bits: the tunnel bits negotiated, and ours negotiates what the
# in-tree transport negotiated on the same device, bit for bit.
m_t_features128() {
	local slot f n b ours
	f=$(cat /tmp/features.05.0)
	n=${#f}
	[ "$n" -ge 128 ] || skip "this kernel's virtio core has $n feature bits (128 from Linux 6.17)"
	for slot in 05.0 06.0; do
		f=$(cat "/tmp/features.$slot")
		for b in $M_F_NET_TUNNEL; do
			[ "$(echo "$f" | cut -c $((b + 1)))" = 1 ] ||
				fail "$slot: in-tree virtio-pci did not negotiate bit $b (UDP tunnel GSO): is the host's tap without tunnel offloads?"
		done
		echo "$slot: in-tree virtio-pci negotiated bits $M_F_NET_TUNNEL"
		[ "$TRANSPORT" = ours ] || continue
		ours=$(cat "/tmp/features.$slot.ours")
		[ "$ours" = "$f" ] || fail "$slot: ours negotiated $ours, in-tree $f"
		m_want_feature "$(m_bdf "$slot")" 67 1 HOST_UDP_TUNNEL_GSO
		echo "$slot: ours negotiated the same $n bits"
	done
	# The disk has no bits above 63: the same there too.
	[ "$TRANSPORT" != ours ] || [ "$(cat /tmp/features.04.0.ours)" = "$(cat /tmp/features.04.0)" ] ||
		fail "04.0: ours negotiated $(cat /tmp/features.04.0.ours), in-tree $(cat /tmp/features.04.0)"
}

# Bits 67-68 offered to the stack: the NIC segments UDP tunnels itself.
m_t_tunnel_offload() {
	local f nic
	f=$(cat /tmp/features.05.0)
	[ "${#f}" -ge 128 ] || skip "this kernel's virtio core has ${#f} feature bits (128 from Linux 6.17)"
	m_pair_setup 0
	nic=$(nic_by_mac "$(m_mac 0 1)")
	ethtool -k "$nic" | grep udp_tnl
	ethtool -k "$nic" | grep -q '^tx-udp_tnl-segmentation: on' ||
		fail "$nic: tx-udp_tnl-segmentation is not on"
}

# A VXLAN tunnel over pair 0 (10.42.0.1 here, 10.42.0.2 in m0): ping and
# the pattern both ways through it.
m_t_tunnel_traffic() {
	local a b
	m_pair_setup 0
	a=$(nic_by_mac "$(m_mac 0 1)")
	b=$(nic_by_mac "$(m_mac 0 2)" m0)
	ip link add vx0 type vxlan id 42 local "$(m_ip 0 1)" remote "$(m_ip 0 2)" dstport 4789 dev "$a" ||
		fail "cannot add a VXLAN device"
	ip -n m0 link add vx0 type vxlan id 42 local "$(m_ip 0 2)" remote "$(m_ip 0 1)" dstport 4789 dev "$b"
	ip addr add 10.42.0.1/24 dev vx0
	ip -n m0 addr add 10.42.0.2/24 dev vx0
	ip link set vx0 up
	ip -n m0 link set vx0 up
	ping_all ping -c 5 -i 0.2 -w 30 10.42.0.2
	serve_pair 10.42.0.1 m0 10.42.0.2
	fetch_check 10.42.0.2 ""
	fetch_check 10.42.0.1 m0
	echo "VXLAN over pair 0: pattern both ways, sha256 matches"
}

scenario_m_tunnel() {
	run_test bind 180 m_t_tunnel_bind
	run_test features-128 30 m_t_features128
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test tunnel-offload 60 m_t_tunnel_offload
	run_test tunnel-traffic 180 m_t_tunnel_traffic
}

# ---------------------------------------------------------------- m-iommu

# ACCESS_PLATFORM negotiated; each function in an IOMMU group whose domain
# translates (DMA or DMA-FQ, not identity).
m_t_access_platform() {
	local slot bdf g t
	for slot in "$@"; do
		bdf=$(m_bdf "$slot")
		m_want_feature "$bdf" $M_F_ACCESS_PLATFORM 1 ACCESS_PLATFORM
		[ -e "$PCI_DEVS/$bdf/iommu_group" ] || fail "$bdf: no IOMMU group"
		g=$(basename "$(readlink "$PCI_DEVS/$bdf/iommu_group")")
		t=$(cat "/sys/kernel/iommu_groups/$g/type")
		case $t in DMA | DMA-FQ) ;; *) fail "$bdf: IOMMU group $g type '$t', want a translating domain" ;; esac
		echo "$bdf: ACCESS_PLATFORM, IOMMU group $g ($t)"
	done
	dmesg | grep -i -E 'DMAR: (Intel|IOMMU)|virtio_iommu|iommu: Default' | head -n 5
}

# No translation faults during the I/O.
m_t_iommu_clean() {
	! dmesg | grep -E 'DMAR: DRHD: handling fault|DMAR: \[DMA|[Ff]ault (from|reason|addr)|PTE (Read|Write) access' ||
		fail "IOMMU faults in the kernel log"
	echo "no IOMMU faults"
}

scenario_m_iommu() {
	run_test bind 180 m_bind "" 04.0=virtio_blk 05.0=virtio_net 06.0=virtio_net
	run_test access-platform 30 m_t_access_platform 04.0 05.0 06.0
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test net 180 m_t_pair 0
	run_test iommu-clean 30 m_t_iommu_clean
}

# The virtio-iommu at 03 is itself a virtio function on the transport; the
# endpoints' probes wait (EPROBE_DEFER) until it has registered.
scenario_m_viommu() {
	run_test bind 180 m_bind virtio_iommu 03.0=virtio_iommu 04.0=virtio_blk 05.0=virtio_net 06.0=virtio_net
	run_test access-platform 30 m_t_access_platform 04.0 05.0 06.0
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test net 180 m_t_pair 0
	run_test iommu-clean 30 m_t_iommu_clean
}

# ---------------------------------------------------------------- m-hotplug

# The function below root port 00:1$1.0 (pcie-root-port rp$1), if any.
m_rp_dev() {
	local d
	for d in "$PCI_DEVS/0000:00:1$1.0"/0000:*:00.0; do
		[ -e "$d" ] && basename "$d" && return 0
	done
	return 1
}

m_rp_bound() {
	local bdf
	bdf=$(m_rp_dev "$1") && m_bound "$bdf" "$2"
}

m_rp_empty() {
	! m_rp_dev "$1" >/dev/null
}

# Plugs a disk (image $2) into root port $1 and writes the pattern to it.
m_plug_blk() {
	local rp=$1 id=$2 img=$3 bdf dev
	host_request "plug-blk $id rp$rp $img"
	wait_for 60 m_rp_bound "$rp" virtio_blk || fail "no disk bound below rp$rp: $(ls "$PCI_DEVS/0000:00:1$rp.0")"
	bdf=$(m_rp_dev "$rp")
	wait_for 30 blkdev_of "$bdf" || fail "$bdf: no disk"
	dev=$(blkdev_of "$bdf")
	echo "rp$rp: $bdf [$(cat "$PCI_DEVS/$bdf/device")] on $(pci_driver_of "$bdf") as $dev"
	blk_rw "/dev/$dev" 0
}

# Plugs NIC B of pair 0 into root port $1 and moves traffic to it.
m_plug_net() {
	local rp=$1 id=$2 bdf
	host_request "plug-net $id rp$rp $(m_mac 0 2) 0"
	wait_for 60 m_rp_bound "$rp" virtio_net || fail "no NIC bound below rp$rp"
	bdf=$(m_rp_dev "$rp")
	echo "rp$rp: $bdf on $(pci_driver_of "$bdf")"
	m_t_pair 0
}

m_t_plug_blk() {
	m_plug_blk 1 hpblk1 hp1.img
}

m_t_plug_net() {
	m_plug_net 2 hpnet1
}

# Removes the device of root port $1 (QMP id $2) and waits until the
# function, its virtio device and its disk or interface are gone.
m_unplug() {
	local rp=$1 id=$2 bdf v
	bdf=$(m_rp_dev "$rp") || fail "rp$rp is empty"
	v=$(virtio_dev_of "$bdf")
	host_request "unplug $id" 120
	wait_for 30 m_rp_empty "$rp" || fail "$bdf still present after the unplug"
	[ ! -e "/sys/bus/virtio/devices/$v" ] || fail "$v still exists"
	echo "rp$rp: $bdf ($v) removed"
}

# The idle disk of rp1 leaves.
m_t_unplug_idle() {
	m_unplug 1 hpblk1
}

# A disk on rp3 leaves while a writer and a reader loop run on it: both must
# end (with I/O errors) instead of hanging, and the other disk keeps working.
m_t_unplug_blk_io() {
	local bdf dev w r
	m_plug_blk 3 hpblk2 hp2.img
	bdf=$(m_rp_dev 3)
	dev=/dev/$(blkdev_of "$bdf")
	blk_write_loop "$dev" 2>/dev/null &
	w=$!
	(while dd if="$dev" of=/dev/null bs=1M iflag=direct status=none; do :; done) 2>/dev/null &
	r=$!
	sleep 2
	m_unplug 3 hpblk2
	# 120 s: a bound, generous for TCG on a loaded host.
	wait_for 120 sh -c "! kill -0 $w 2>/dev/null && ! kill -0 $r 2>/dev/null" ||
		fail "I/O to the removed disk did not end"
	wait "$w" 2>/dev/null || true
	wait "$r" 2>/dev/null || true
	healthy_vda
	echo "$dev: removed during I/O, both loops ended"
}

# The disk at 04 still reads back the pattern.
healthy_vda() {
	local got dev
	dev=$(blkdev_of "$(m_bdf 04.0)") || fail "the disk at 04.0 is gone"
	got=$(dd if="/dev/$dev" bs=1M count="$PATTERN_MIB" iflag=direct status=none | sha256sum)
	[ "${got%% *}" = "$PATTERN_SUM" ] || fail "$dev no longer reads back the pattern"
}

# NIC B (rp2) leaves while both directions move data over TCP and a ping
# flood runs; the transfers end and NIC A stays up.
m_t_unplug_net_io() {
	local p f
	m_httpd 0
	(while ip netns exec m0 wget -q -O /dev/null "http://$(m_ip 0 1):$HTTP_PORT/pattern.bin"; do :; done) 2>/dev/null &
	f=$!
	ping -f -w 60 "$(m_ip 0 2)" >/dev/null 2>&1 &
	p=$!
	sleep 2
	m_unplug 2 hpnet1
	# A transfer cut off mid-way would wait for ever (busybox wget has
	# no usable timeout): end the load; the point is the driver's.
	kill "$f" "$p" 2>/dev/null || true
	killall wget ping 2>/dev/null || true
	have_nic "$(m_mac 0 1)" || fail "NIC A disappeared"
	! have_nic "$(m_mac 0 2)" m0 || fail "NIC B still exists"
	echo "NIC B removed under load; NIC A still up"
}

# Both root ports take new devices again and they work.
m_t_replug() {
	m_plug_blk 1 hpblk3 hp3.img
	m_plug_net 2 hpnet2
}

# Slots: 04 blk (disk.img), 05 NIC A of pair 0; root ports rp1-rp4 at
# 10-13 (hot-plug slots 1-4), empty at boot.
# ---------------------------------------------------------------- m-pm-nsr

# PMCSR's No_Soft_Reset bit (PCI PM 1.2) of function $1: 1 or 0, read from
# its configuration space (the capability list from 0x34).
m_nsr_bit() {
	local cfg=$PCI_DEVS/$1/config pos id n=0
	pos=$(od -An -tu1 -j 52 -N 1 "$cfg" | tr -d ' ')
	while [ "$pos" -ge 64 ] && [ "$n" -lt 48 ]; do
		id=$(od -An -tu1 -j "$pos" -N 1 "$cfg" | tr -d ' ')
		if [ "$id" = 1 ]; then
			# PMCSR at +4, No_Soft_Reset is bit 3.
			echo $(($(od -An -tu1 -j $((pos + 4)) -N 1 "$cfg" | tr -d ' ') >> 3 & 1))
			return 0
		fi
		pos=$(od -An -tu1 -j $((pos + 1)) -N 1 "$cfg" | tr -d ' ')
		n=$((n + 1))
	done
	echo 0
}

# Queue setups of the virtio-blk below function $1 in the kernel log
# ("virtioN: 1/0/0 default/read/poll queues", one per probe or restore).
m_blk_inits() {
	local v
	v=$(virtio_dev_of "$1") || fail "$1 has no virtio device"
	dmesg | grep -c "virtio_blk $v: .*default/read/poll queues" || true
}

m_t_nsr_bind() {
	local rp bdf
	check_cpus
	load_class_drivers
	load_transport
	assert_in_tree_away
	for rp in 1 2; do
		wait_for 60 m_rp_bound "$rp" virtio_blk || fail "no disk bound below rp$rp"
		bdf=$(m_rp_dev "$rp")
		echo "rp$rp: $bdf on $(pci_driver_of "$bdf"), No_Soft_Reset $(m_nsr_bit "$bdf")"
	done
	[ "$(m_nsr_bit "$(m_rp_dev 1)")" = 1 ] || fail "rp1's disk does not say No_Soft_Reset"
	[ "$(m_nsr_bit "$(m_rp_dev 2)")" = 0 ] || fail "rp2's disk says No_Soft_Reset"
}

m_nsr_disk() {
	blkdev_of "$(m_rp_dev "$1")" || fail "no disk below rp$1"
}

# The pattern at MiB offset $2 of the disk below root port $1 reads back.
m_nsr_intact() {
	local dev mib got
	dev=$(m_nsr_disk "$1")
	mib=$(($(stat -c %s "$PATTERN") / 1048576))
	got=$(dd if="/dev/$dev" bs=1M skip="$2" count="$mib" iflag=direct status=none | sha256sum)
	[ "${got%% *}" = "${PATTERN_SUM%% *}" ] || fail "/dev/$dev: the pattern at $2 MiB reads sha256 ${got%% *}"
	echo "/dev/$dev: the pattern at $2 MiB is intact"
}

m_t_nsr_io() {
	blk_rw "/dev/$(m_nsr_disk 1)" 0
	blk_rw "/dev/$(m_nsr_disk 2)" 0
}

# True when the running kernel is release $1.$2 or later.
m_kernel_at_least() {
	local major minor
	major=${KVER%%.*}
	minor=${KVER#*.}
	minor=${minor%%[!0-9]*}
	[ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "$minor" -ge "$2" ]; }
}

# mem/platform: the No_Soft_Reset disk is neither frozen nor restored (its
# queues are not set up again), the other one is; both keep their data
# and take new data.  The in-tree transport honours No_Soft_Reset from 6.8
# on: before, the control has nothing to show.
m_t_nsr_suspend() {
	local a b
	[ "$TRANSPORT" = ours ] || m_kernel_at_least 6 8 ||
		skip "the in-tree virtio_pci keeps a No_Soft_Reset function's state from Linux 6.8 on"
	a=$(m_rp_dev 1)
	b=$(m_rp_dev 2)
	m_pm_suspend mem platform
	! dmesg | grep -i -E 'virtio.*(fail|error)|PM: .*fail|dpm_run_callback' || fail "errors during the cycle"
	[ "$(m_blk_inits "$a")" = 0 ] || fail "$a (No_Soft_Reset): its queues were set up again"
	[ "$(m_blk_inits "$b")" -ge 1 ] || fail "$b: not restored (no queue setup in the log)"
	echo "$a: state kept (no freeze, no restore); $b: frozen and restored"
	# Hibernation freezes and restores whatever the device says.
	m_pm_suspend disk devices
	[ "$(m_blk_inits "$a")" -ge 1 ] || fail "$a: not frozen and restored for hibernation"
	echo "disk/devices: $a frozen and restored as well"
	m_nsr_intact 1 0
	m_nsr_intact 2 0
	blk_rw "/dev/$(m_nsr_disk 1)" 16
	blk_rw "/dev/$(m_nsr_disk 2)" 16
}

# Ours, fault build: the No_Soft_Reset disk's status reads 0 after the
# resume, as if it had been reset all the same.  The transport shuts it
# off: its reads fail at once instead of waiting on rings the device
# forgot; the other disk works on.
m_t_nsr_lies() {
	local a dev rc=0
	a=$(m_rp_dev 1)
	dev=$(m_nsr_disk 1)
	mount_debugfs
	echo "$a device_status every value=0" >"$DEBUGFS/virtio-pci-layout/faults"
	m_pm_suspend mem platform
	echo clear >"$DEBUGFS/virtio-pci-layout/faults"
	dmesg | grep -q -E "$a: resume: No_Soft_Reset, but device_status reads 0(x0)?, not .*device shut off" ||
		fail "no shut-off in the kernel log"
	timeout 30 dd if="/dev/$dev" of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null || rc=$?
	case $rc in
	0) fail "/dev/$dev: a read succeeded on a device that was shut off" ;;
	124 | 137) fail "/dev/$dev: a read hung on a device that was shut off" ;;
	esac
	echo "/dev/$dev: the read failed at once (dd status $rc)"
	m_nsr_intact 2 16
}

scenario_m_pm_nsr() {
	run_test bind 180 m_t_nsr_bind
	run_test io-before 180 m_t_nsr_io
	run_test suspend-nsr 180 m_t_nsr_suspend
	[ "$TRANSPORT" != ours ] || run_test nsr-lies 120 m_t_nsr_lies
}

# ---------------------------------------------------------------- m-flr

# The disk below root port 1 is bound, FLR among its reset methods.
m_t_flr_bind() {
	local bdf
	check_cpus
	load_class_drivers
	load_transport
	assert_in_tree_away
	wait_for 60 m_rp_bound 1 virtio_blk || fail "no disk bound below rp1: $(ls "$PCI_DEVS/0000:00:11.0")"
	wait_for 60 m_rp_bound 2 virtio_net || fail "no NIC bound below rp2: $(ls "$PCI_DEVS/0000:00:12.0")"
	for bdf in $(m_rp_dev 1) $(m_rp_dev 2); do
		grep -qw flr "$PCI_DEVS/$bdf/reset_method" ||
			fail "$bdf: reset methods '$(cat "$PCI_DEVS/$bdf/reset_method")', no flr"
		echo "$bdf on $(pci_driver_of "$bdf"), reset methods: $(cat "$PCI_DEVS/$bdf/reset_method")"
	done
}

# An FLR of the disk while a reader keeps it busy: the reader sees no
# error, the pattern written before is intact and the disk takes a new one.
m_t_flr() {
	local bdf dev busy mib got
	bdf=$(m_rp_dev 1) || fail "no function below rp1"
	dev=$(blkdev_of "$bdf") || fail "$bdf: no disk"
	blk_rw "/dev/$dev" 0
	(while dd if="/dev/$dev" of=/dev/null bs=1M count=8 iflag=direct status=none; do :; done) &
	busy=$!
	sleep 1
	dmesg -c >/dev/null
	echo flr >"$PCI_DEVS/$bdf/reset_method"
	if ! echo 1 >"$PCI_DEVS/$bdf/reset"; then
		kill "$busy"
		fail "$bdf: the reset failed"
	fi
	echo "$bdf: function level reset done"
	sleep 2
	kill "$busy" 2>/dev/null || fail "the reader stopped: a read failed across the reset"
	wait "$busy" || true
	! dmesg | grep -E 'function reset: |virtio_blk.*(reset|failed)' || fail "the reset left traces in the kernel log"
	# reset_done ran: the disk's queues were set up again, once.
	[ "$(m_blk_inits "$bdf")" = 1 ] || fail "$bdf: queues set up $(m_blk_inits "$bdf") times by the reset, want 1"
	m_bound "$bdf" virtio_blk || fail "$bdf: no longer bound ($(pci_driver_of "$bdf"))"
	mib=$(($(stat -c %s "$PATTERN") / 1048576))
	echo 3 >/proc/sys/vm/drop_caches
	got=$(dd if="/dev/$dev" bs=1M count="$mib" iflag=direct status=none | sha256sum)
	[ "${got%% *}" = "${PATTERN_SUM%% *}" ] || fail "/dev/$dev: pattern at 0 after the reset: sha256 ${got%% *}"
	echo "/dev/$dev: the pattern written before the reset is intact"
	blk_rw "/dev/$dev" 16
}

# An FLR of the NIC, whose driver cannot quiesce (no reset_prepare): the
# reset took its rings, so ours shuts it off (its sends fail at once); the
# in-tree transport lets it be.
m_t_flr_unprepared() {
	local bdf
	bdf=$(m_rp_dev 2) || fail "no function below rp2"
	dmesg -c >/dev/null
	echo flr >"$PCI_DEVS/$bdf/reset_method"
	echo 1 >"$PCI_DEVS/$bdf/reset" || fail "$bdf: the reset failed"
	dmesg | grep -E 'function reset' || true
	if [ "$TRANSPORT" = ours ]; then
		dmesg | grep -q "$bdf: function reset: virtio[0-9]* was not quiesced and lost its rings; device shut off" ||
			fail "$bdf: not shut off"
	fi
	[ "$(pci_driver_of "$bdf")" = "$(want_driver)" ] ||
		fail "$bdf: driven by '$(pci_driver_of "$bdf")' after the reset, want '$(want_driver)'"
	echo "$bdf: reset; $(pci_driver_of "$bdf") still bound"
}

# ---------------------------------------------------------------- m-sriov

M_F_SR_IOV=37

# The VF of the PF below root port 1 (function 1 beside it).
m_sriov_vf() {
	local pf
	pf=$(m_rp_dev 1) || return 1
	echo "${pf%.0}.1"
}

m_sriov_numvfs() {
	cat "$PCI_DEVS/$(m_rp_dev 1)/sriov_numvfs"
}

m_sriov_gone() {
	[ ! -e "$PCI_DEVS/$(m_sriov_vf)" ]
}

# The disk at 04 and the PF below rp1, each on the transport; the PF offers
# one VF, has VIRTIO_F_SR_IOV negotiated and none enabled.
m_t_sriov_bind() {
	local pf
	check_cpus
	load_class_drivers
	load_transport
	assert_in_tree_away
	wait_for 60 m_bound "$(m_bdf 04.0)" virtio_blk || fail "the disk at 04.0 is not bound"
	wait_for 60 m_rp_bound 1 virtio_net || fail "no NIC bound below rp1: $(ls "$PCI_DEVS/0000:00:11.0")"
	pf=$(m_rp_dev 1)
	echo "$pf on $(pci_driver_of "$pf"): sriov_totalvfs $(cat "$PCI_DEVS/$pf/sriov_totalvfs")"
	[ "$(cat "$PCI_DEVS/$pf/sriov_totalvfs")" = 1 ] || fail "$pf: sriov_totalvfs is not 1"
	[ "$(m_sriov_numvfs)" = 0 ] || fail "$pf: VFs enabled at boot"
	m_want_feature "$pf" $M_F_SR_IOV 1 SR_IOV
}

# No virtio driver on the PF, so the device never reached FEATURES_OK with
# VIRTIO_F_SR_IOV: no VF.  virtio_net then takes the PF again.
m_t_sriov_refused() {
	local pf v
	pf=$(m_rp_dev 1)
	v=$(virtio_dev_of "$pf")
	echo "$v" >/sys/bus/virtio/drivers/virtio_net/unbind
	dmesg -c >/dev/null
	if echo 1 >"$PCI_DEVS/$pf/sriov_numvfs"; then
		fail "$pf: a VF was enabled with no virtio driver on the PF"
	fi
	dmesg | tail -n 3
	[ "$(m_sriov_numvfs)" = 0 ] || fail "$pf: sriov_numvfs $(m_sriov_numvfs)"
	m_sriov_gone || fail "$(m_sriov_vf) exists"
	echo "$v" >/sys/bus/virtio/drivers/virtio_net/bind
	wait_for 30 m_rp_bound 1 virtio_net || fail "$pf: virtio_net did not take the PF again"
}

# One VF: it binds to the transport and virtio_net.
m_t_sriov_enable() {
	local pf vf
	pf=$(m_rp_dev 1)
	vf=$(m_sriov_vf)
	echo 1 >"$PCI_DEVS/$pf/sriov_numvfs" || fail "$pf: enabling 1 VF failed: $(dmesg | tail -n 3)"
	wait_for 60 m_bound "$vf" virtio_net ||
		fail "$vf: PCI driver '$(pci_driver_of "$vf")', virtio driver '$(m_vdriver "$vf")', want '$(want_driver)' and virtio_net"
	[ "$(readlink -f "$PCI_DEVS/$vf/physfn")" = "$(readlink -f "$PCI_DEVS/$pf")" ] || fail "$vf is not a VF of $pf"
	echo "$vf: VF of $pf on $(pci_driver_of "$vf") and $(m_vdriver "$vf")"
}

# echo 0 removes the VF; then a VF again, and unbinding the PF removes it.
m_t_sriov_disable() {
	local pf drv
	pf=$(m_rp_dev 1)
	echo 0 >"$PCI_DEVS/$pf/sriov_numvfs" || fail "$pf: disabling the VFs failed"
	wait_for 30 m_sriov_gone || fail "$(m_sriov_vf) still exists after sriov_numvfs 0"
	echo "sriov_numvfs 0: the VF is gone"
	echo 1 >"$PCI_DEVS/$pf/sriov_numvfs" || fail "$pf: enabling 1 VF again failed"
	wait_for 60 m_bound "$(m_sriov_vf)" virtio_net || fail "the VF did not come back"
	drv=$(want_driver)
	echo "$pf" >"$PCI_DRVS/$drv/unbind"
	wait_for 30 m_sriov_gone || fail "$(m_sriov_vf) still exists after the PF was unbound"
	echo "PF unbound: the VF is gone"
	echo "$pf" >"$PCI_DRVS/$drv/bind"
	wait_for 60 m_rp_bound 1 virtio_net || fail "$pf did not bind again"
	[ "$(m_sriov_numvfs)" = 0 ] || fail "$pf: sriov_numvfs $(m_sriov_numvfs) after binding again"
}

scenario_m_sriov() {
	run_test bind 180 m_t_sriov_bind
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test vf-refused 60 m_t_sriov_refused
	run_test vf-enable 120 m_t_sriov_enable
	run_test vf-net 180 m_t_pair 0
	run_test vf-disable 120 m_t_sriov_disable
}

scenario_m_flr() {
	run_test bind 180 m_t_flr_bind
	run_test flr-busy 90 m_t_flr
	run_test flr-unprepared 60 m_t_flr_unprepared
}

scenario_m_hotplug() {
	run_test bind 180 m_bind "" 04.0=virtio_blk 05.0=virtio_net
	run_test blk-pattern 180 m_t_blk 04.0 0
	run_test plug-blk 180 m_t_plug_blk
	run_test plug-net 240 m_t_plug_net
	run_test unplug-idle 120 m_t_unplug_idle
	run_test unplug-blk-io 240 m_t_unplug_blk_io
	run_test unplug-net-io 240 m_t_unplug_net_io
	run_test replug 300 m_t_replug
}

# ---------------------------------------------------------------- m-pm

# One suspend cycle: state $1 (freeze, mem, disk) stopped at pm_test level
# $2 (devices: every driver's suspend and resume callbacks; platform: also
# the late and noirq steps, D3hot, and the platform's (ACPI) steps).
m_pm_suspend() {
	local state=$1 level=$2 rc=0
	grep -qw "$state" /sys/power/state || fail "'$state' not in /sys/power/state: $(cat /sys/power/state)"
	grep -qw "$level" /sys/power/pm_test || fail "no pm_test level $level: $(cat /sys/power/pm_test)"
	[ ! -w /sys/module/suspend/parameters/pm_test_delay ] ||
		echo 1 >/sys/module/suspend/parameters/pm_test_delay
	dmesg -c >/dev/null
	echo "$level" >/sys/power/pm_test
	echo "$state" >/sys/power/state || rc=1
	echo none >/sys/power/pm_test
	dmesg | grep -E 'PM:|suspend|resume|virtio|freeze|thaw|restore' | head -n 30
	[ "$rc" = 0 ] || fail "echo $state >/sys/power/state failed"
	# The cycle must have gone as far as the level: the test delay, and
	# for "platform" the firmware's (ACPI) sleep state preparation.  7.x
	# says "PM: hibernation: hibernation debug: Waiting", 6.x "PM:
	# hibernation: debug: Waiting".
	dmesg | grep -q -E '(suspend|hibernation):? debug: Waiting' ||
		fail "the cycle never reached the pm_test level $level"
	[ "$level" != platform ] || dmesg | grep -q 'Preparing to enter system sleep state S[34]' ||
		fail "no ACPI sleep state was prepared"
}

# m_pm_suspend, then the devices of m-pm must work.
m_pm_cycle() {
	m_pm_suspend "$1" "$2"
	! dmesg | grep -i -E 'virtio.*(fail|error)|PM: .*fail|dpm_run_callback' || fail "errors during the cycle"
	m_io_quick
	echo "$1/$2: suspended and resumed; devices work"
}

# The devices of m-pm after a cycle: every function still bound, the disk
# reads back, the NICs ping, the SCSI disk and the rng read, the port echoes.
m_io_quick() {
	local bdf sd
	assert_drivers
	for bdf in $(virtio_bdfs); do
		[ "$(m_vdriver "$bdf")" != none ] || fail "$bdf: its virtio device lost its driver"
	done
	healthy_vda
	m_ping 0
	sd=$(m_scsi_disk "$(m_bdf 07.0)") || fail "no SCSI disk"
	dd if="/dev/$sd" of=/dev/null bs=1M count=8 iflag=direct status=none || fail "$sd: read failed"
	head -c 4096 /dev/hwrng | wc -c | grep -qx 4096 || fail "hwrng read failed"
	m_echo "$(m_port org.vpl.echo)" 65536
}

m_t_io_before() {
	m_t_blk 04.0 0
	m_t_pair 0
	m_t_scsi 07.0
	m_t_rng 08.0
	m_t_serial 65536
}

m_t_io_after() {
	m_t_blk 04.0 0
	m_tcp 0
	m_t_scsi 07.0
	m_t_rng 08.0
	m_t_serial
}

# Slots: 04 blk, 05/06 NIC pair 0, 07 scsi, 08 rng, 09 serial, 0a balloon,
# 0b keyboard: every driver here has freeze/restore callbacks.
scenario_m_pm() {
	run_test bind 180 m_bind "virtio_scsi sd_mod virtio_rng virtio_console virtio_balloon virtio_input evdev" \
		04.0=virtio_blk 05.0=virtio_net 06.0=virtio_net 07.0=virtio_scsi 08.0=virtio_rng \
		09.0=virtio_console 0a.0=virtio_balloon 0b.0=virtio_input
	run_test io-before 300 m_t_io_before
	run_test freeze-devices 180 m_pm_cycle freeze devices
	run_test mem-devices 180 m_pm_cycle mem devices
	run_test mem-platform 180 m_pm_cycle mem platform
	run_test disk-devices 180 m_pm_cycle disk devices
	run_test disk-platform 180 m_pm_cycle disk platform
	run_test io-after 300 m_t_io_after
}

# ---------------------------------------------------------------- m-many

# Slot of disk $1 (0-31): 04.0-07.7.
m_many_slot() {
	printf '%02x.%d' $((4 + $1 / 8)) $(($1 % 8))
}

# Every disk at once: disk 0 (disk.img) takes the whole pattern, disk i
# slice i mod 8 (1 MiB) of it; written in parallel with O_DIRECT, then read
# back in parallel and compared (the host checks the images: host-images).
m_t_blk_all() {
	local i n dev pids='' bad=0 want got
	n=$((PATTERN_MIB))
	i=0
	while [ "$i" -lt "$n" ]; do
		dd if="$PATTERN" of="/tmp/slice$i" bs=1M skip="$i" count=1 status=none
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt 32 ]; do
		dev=/dev/$(blkdev_of "$(m_bdf "$(m_many_slot "$i")")") || fail "disk $i missing"
		if [ "$i" = 0 ]; then
			dd if="$PATTERN" of="$dev" bs=1M oflag=direct conv=fsync status=none &
		else
			dd if="/tmp/slice$((i % n))" of="$dev" bs=1M oflag=direct conv=fsync status=none &
		fi
		pids="$pids $!"
		i=$((i + 1))
	done
	for i in $pids; do wait "$i" || bad=$((bad + 1)); done
	[ "$bad" = 0 ] || fail "$bad writes failed"
	echo 3 >/proc/sys/vm/drop_caches
	i=0
	while [ "$i" -lt 32 ]; do
		dev=/dev/$(blkdev_of "$(m_bdf "$(m_many_slot "$i")")")
		if [ "$i" = 0 ]; then
			dd if="$dev" bs=1M count="$n" iflag=direct status=none >/tmp/rb$i &
		else
			dd if="$dev" bs=1M count=1 iflag=direct status=none >/tmp/rb$i &
		fi
		i=$((i + 1))
	done
	wait
	i=0
	while [ "$i" -lt 32 ]; do
		if [ "$i" = 0 ]; then want=$PATTERN_SUM; else want=$(sha256sum <"/tmp/slice$((i % n))"); fi
		got=$(sha256sum <"/tmp/rb$i")
		[ "${got%% *}" = "${want%% *}" ] || fail "disk $i ($(m_many_slot "$i")) read back wrong data"
		rm -f "/tmp/rb$i"
		i=$((i + 1))
	done
	echo "32 disks written and read back in parallel, all checksums match"
}

m_t_net_all() {
	m_t_pair 0
	m_t_pair 1
}

# Every one of the 36 functions has a vector per virtqueue, and every
# device's queues interrupted during the I/O.
m_t_irq_all() {
	local bdf v rows
	assert_drivers
	irq_table >/tmp/irq.after
	for bdf in $(virtio_bdfs); do
		v=$(virtio_dev_of "$bdf") || fail "$bdf has no virtio device"
		rows=$(irq_table | irq_rows_of "$v")
		check_irq_rows "$bdf" "$v" pervq "$rows"
		[ "$(vq_irq_total "$v" /tmp/irq.after)" -gt "$(vq_irq_total "$v" /tmp/irq.before)" ] ||
			fail "$v: no virtqueue interrupt during the I/O"
	done
	echo "$(virtio_bdfs | wc -l) functions, $(irq_table | grep -c PCI-MSI) MSI-X rows, all fired"
}

scenario_m_many() {
	local e='' i=0
	while [ "$i" -lt 32 ]; do
		e="$e $(m_many_slot "$i")=virtio_blk"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086 # a list of slots
	run_test bind 300 m_bind "" $e 08.0=virtio_net 08.1=virtio_net 08.2=virtio_net 08.3=virtio_net
	setup irq_snapshot
	run_test blk-all 300 m_t_blk_all
	run_test net-all 300 m_t_net_all
	run_test irq-all 60 m_t_irq_all
}
