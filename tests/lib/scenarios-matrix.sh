# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# scenarios-matrix.sh - the device and feature matrix (issue 6): every virtio
# device QEMU 7.2 offers a Debian guest a driver for, and every transport
# feature, used for real in booted guests, on 6.1 and 6.12, with our
# transport and with the in-tree virtio_pci as the control.  The guest side
# is tests/guest/scenarios-matrix.sh, the host agent tests/lib/agent.py,
# and Documentation/matrix.rst is generated from the last run by
# tests/matrix/mkdoc.sh.  See scenarios.sh for the family interface.
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
VPL_FAMILIES+=(matrix)

MATRIX_DIR=$VPL_TESTS/matrix
MATRIX_ALL="m-devices m-memdev m-transitional m-ring m-notify m-vectors m-mq m-iommu m-viommu m-hotplug m-pm m-many"
MATRIX_QUICK="m-devices m-vectors m-iommu m-hotplug"

matrix_scenarios() {
	local s list=$MATRIX_QUICK
	# The matrix is about the kernels distributions ship; a built one (the
	# debug kernel) has families of its own.
	[ "$(vpl_series_field "$1" 2)" = debian ] || return 0
	[ "$VPL_TIER" != full ] || list=$MATRIX_ALL
	for s in $list; do
		# Debian's 6.1 is built without CONFIG_VIRTIO_IOMMU.
		[ "$s" != m-viommu ] || vpl_series_has "$1" config:VIRTIO_IOMMU || continue
		echo "$s"
	done
}

# What each scenario's boot holds and proves, for the cases of
# Documentation/matrix.rst (tests/matrix/mkdoc.sh).
matrix_describe() {
	case $1 in
	m-devices)
		echo "virtio-scsi (disk: write, read, checksum, and in the host's image), virtio-rng (/dev/hwrng), virtio-serial port and virtconsole (1 MiB and 16 KiB echoed by the host), virtio-balloon (QMP inflates 512 MiB and deflates; MemTotal follows), virtio-keyboard (a QMP key press reaches the event device), virtio-9p (read a host file, write files the host checks), virtio-gpu (KMS mode 1024x768 set with modetest; the host's screendump shows it), virtio-crypto (AES-CBC through AF_ALG: NIST vectors, 64 KiB against the generic AES)"
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
		echo "vector shortage: a disk and a NIC with 2 vectors, a serial device with 18 queues and 4 vectors (each: one config and one shared vector), a disk and a NIC with vectors=1 (INTx); /proc/interrupts shows the documented mode, I/O works, interrupts fire"
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
	m-hotplug)
		echo "q35 pcie-root-ports: a disk and a NIC hot-plugged through QMP (device_add) and used; hot-unplug (device_del) idle, during disk I/O and during network load; the slots take new devices again"
		;;
	m-pm)
		echo "/sys/power/pm_test: freeze/devices, mem/devices, mem/platform, disk/devices, disk/platform, with disk, NIC, SCSI, rng and serial I/O before, after every cycle and at the end (blk, net, scsi, rng, serial, balloon, keyboard bound)"
		;;
	m-many)
		echo "32 virtio-blk (multifunction slots) and 4 virtio-net in one guest: all bound, all 32 disks written and read in parallel, both NIC pairs move data, every function in per-queue MSI-X with interrupts firing; the host checks all 32 images"
		;;
	*) vpl_die "no description of matrix scenario '$1'" ;;
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
	m-notify | m-many) echo host-images ;;
	esac
}

matrix_append() {
	case $3 in
	# The ring combinations, so that the guest tests what QEMU was given.
	m-ring) echo "vpl.ring_blk=${MATRIX_RING_BLK// /,} vpl.ring_net=${MATRIX_RING_NET// /,}" ;;
	# The IOMMU translates (DMA or DMA-FQ domains), never passes through.
	m-iommu) echo "intel_iommu=on iommu.passthrough=0" ;;
	m-viommu) echo "iommu.passthrough=0" ;;
	# virtio-mem memory must be online, and movable to be unpluggable.
	m-memdev) echo "memhp_default_state=online_movable" ;;
	# QEMU 7.2's builtin crypto backend fails the kernel's RSA self-test
	# (akcipher encrypt: -EINVAL, with the in-tree transport too), which
	# WARNs and so panics the guest; m-devices checks the device's AES-CBC
	# through AF_ALG (tests/matrix/afalg.c) instead of the self-tests.
	m-devices) echo "cryptomgr.notests=1" ;;
	# Messages of the suspend steps stay on the console.
	m-pm) echo "no_console_suspend" ;;
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
	[ "$(vpl_series_field "$1" 2)" = debian ] || return 0
	echo virtio_scsi sd_mod virtio_rng virtio_console virtio_balloon \
		virtio_input evdev 9pnet_virtio 9p virtio_gpu virtio_crypto \
		virtio_pmem nd_pmem virtio_mem virtio_iommu algif_skcipher
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
	case $1 in m-devices | m-memdev | m-transitional | m-vectors | m-mq | m-hotplug | m-pm) ;; *) return 1 ;; esac
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

# The host network namespace and tap names of m-mq for BOOT_DIR: unique
# per boot directory, at most 15 characters.
matrix_netns() {
	echo "vplm-$(echo "$1" | cksum | cut -d' ' -f1)"
}

matrix_tap() {
	echo "vm$2$(echo "$1" | cksum | cut -d' ' -f1 | tail -c 9)"
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
		;;
	m-mq)
		echo "-device virtio-blk-pci,$m,drive=hd0,addr=0x4"
		# Only a tap gives virtio-net several queue pairs.  The agent
		# moves both taps into a network namespace of their own and
		# bridges them there, so the two NICs talk through the host's
		# multiqueue tap code without touching the host's network.
		if [ -c /dev/net/tun ]; then
			c=$(matrix_netns "$dir")
			ip netns del "$c" 2>/dev/null || true
			printf 'netns=%s\ntaps=%s %s\n' "$c" "$(matrix_tap "$dir" a)" "$(matrix_tap "$dir" b)" >"$dir/mq.env"
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
	m-iommu)
		# The IOMMU comes before every PCI device; without interrupt
		# remapping it needs no split irqchip (and TCG has none).
		echo "-device intel-iommu,intremap=off"
		echo "-device virtio-blk-pci,$m,iommu_platform=on,drive=hd0,addr=0x4"
		matrix_nic_pair 0 0x5 0x6 "$m,iommu_platform=on"
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
