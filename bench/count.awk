# SPDX-License-Identifier: GPL-2.0
#
# count.awk - turns a QEMU trace log (log backend, events in
# bench/trace-events) into register-access counts per benchmark phase.
#
# The guest writes "phase NAME\n" and "idle\n" to isa-debugcon (port 0x4f0)
# one byte at a time; each byte is a memory_region_ops_write on the region
# "isa-debugcon" in the same stream, so a phase is exactly the trace lines
# between its marker and the next one.  Lines outside a phase are ignored.
# With vpl_attr.ko loaded, the kernel writes "[ID\n" when a probed function
# is entered and "]ID\n" when it returns, from the vCPU that runs it: bytes
# are gathered per vCPU (the trace line's cpu field), and each vCPU has its
# own stack of open calls.  A return names its call's ID: a call that slept
# and returned on the other vCPU is closed where it was opened.  A kernel
# marker may fall between two bytes of the guest's own marker (an
# interrupt): the partial line waits until the kernel's is complete.  A configuration access (pci_cfg_*, which names
# no vCPU) belongs to the vCPU of its data-port access (type 1 "pci-conf-
# data", or ECAM "pcie-mmcfg-mmio"): QEMU traces a write's port access
# before the pci_cfg_write it leads to, a read's after the pci_cfg_read.
#
# Output, tab separated:
#   count  PHASE KEY N       per phase and counter (keys below)
#   detail PHASE WHAT OFFSET SIZE N
#                            per register: WHAT is cfg_r/cfg_w (virtio
#                            functions' configuration space) or
#                            <region>_r/_w; for reading needless accesses.
#   attr   PHASE WHAT OFFSET SIZE ID N
#                            the same per call chain: ID is the chain of
#                            the innermost call open on the access's vCPU
#                            (bench/attr/vpl_attr.c), 0 for none.
#   markers moved M unmatched U garbled G
#                            calls closed on another vCPU, returns with no
#                            open call, lines that are no marker (only
#                            when the trace has call markers or garbage).
# Keys: cfg_r cfg_w (configuration space of virtio functions, any width),
# common_r common_w device_r device_w isr_r isr_w notify_r notify_w
# msix_r msix_w (MSI-X table) pba_r pba_w, kick (virtio_pci_notify_write,
# must equal notify_w) and irq (virtio_notify: the device interrupted the
# driver).  Config accesses to other functions (the host bridge...) count
# as cfg_other.

# The value of a hexadecimal string (mawk has no strtonum()).
function hex(s,    j, digit, v) {
	sub(/^0x/, "", s)
	v = 0
	for (j = 1; j <= length(s); j++) {
		digit = index("0123456789abcdef", tolower(substr(s, j, 1)))
		if (!digit)
			break
		v = v * 16 + digit - 1
	}
	return v
}

function bump(counter) {
	n[phase SUBSEP counter]++
}

# Phases are listed in the order they began, those without accesses too.
function enter(p) {
	phase = p
	if (!(p in seen)) {
		seen[p] = 1
		order[++nphases] = p
		n[p SUBSEP "cfg_r"] += 0
	}
}

function detail(what, off, size, cpu,    id) {
	d[phase SUBSEP what SUBSEP off SUBSEP size]++
	id = depth[cpu] ? st[cpu, depth[cpu]] : 0
	a[phase SUBSEP what SUBSEP off SUBSEP size SUBSEP id]++
}

# Closes call ID, the innermost one open on vCPU cpu or, when it moved, on
# another vCPU.
function close_call(id, cpu,    ocpu, lvl, sh) {
	if (depth[cpu] && st[cpu, depth[cpu]] == id) {
		depth[cpu]--
		return
	}
	for (ocpu in depth)
		for (lvl = depth[ocpu]; lvl > 0; lvl--)
			if (st[ocpu, lvl] == id) {
				for (sh = lvl; sh < depth[ocpu]; sh++)
					st[ocpu, sh] = st[ocpu, sh + 1]
				depth[ocpu]--
				moved++
				return
			}
	unmatched++
}

# A whole line on the debug console of vCPU cpu.
function marker(line, cpu) {
	if (line ~ /^\[/) {
		st[cpu, ++depth[cpu]] = substr(line, 2) + 0
		calls++
	}
	else if (line == "]" && depth[cpu])
		depth[cpu]--	# a return without its ID (older vpl_attr.ko)
	else if (line ~ /^\]/)
		close_call(substr(line, 2) + 0, cpu)
	else if (line ~ /^phase /)
		enter(substr(line, 7))
	else if (line == "idle")
		phase = ""
	else
		garbled++
}

function conf_port(name) {
	return name == "'pci-conf-data'" || name ~ /^'pcie-mmcfg/
}

# The configuration read waiting for its vCPU, if any.
function config_access(cpu) {
	if (pend == "")
		return
	if (phase != "") {
		bump(pend)
		detail(pend, pend_off, "-", cpu)
	}
	pend = ""
}

# Kind of a memory region, from its name; "" for regions not counted.
function kind(name) {
	if (name ~ /^'virtio-pci-common-/) return "common"
	if (name ~ /^'virtio-pci-device-/) return "device"
	if (name ~ /^'virtio-pci-isr-/) return "isr"
	if (name ~ /^'virtio-pci-notify-/) return "notify"
	if (name == "'msix-table'") return "msix"
	if (name == "'msix-pba'") return "pba"
	return ""
}

BEGIN {
	phase = ""
	nphases = 0
	pend = ""
	conf_cpu = -1
	split("", n)
	split("", d)
	split("", a)
	split("", buf)
	split("", held)
	split("", depth)
	moved = unmatched = garbled = calls = 0
}

/^memory_region_ops_(read|write) / && conf_port($13) {
	if ($1 == "memory_region_ops_write")
		conf_cpu = $3
	else
		config_access($3)
}

/^memory_region_ops_write / && $13 == "'isa-debugcon'" {
	c = hex($9)
	if ((c == 91 || c == 93) && buf[$3] != "" && buf[$3] !~ /^[][]/) {
		# "[" or "]" inside the guest's line: set the line aside.
		held[$3] = buf[$3]
		buf[$3] = ""
	}
	if (c != 10)
		buf[$3] = buf[$3] sprintf("%c", c)
	else {
		marker(buf[$3], $3)
		buf[$3] = held[$3]
		held[$3] = ""
	}
	next
}

/^pci_cfg_(read|write) / {
	config_access(-1)
	if (phase == "")
		next
	if ($2 !~ /^virtio-/) {
		bump("cfg_other")
		next
	}
	pend = "cfg_r"
	pend_off = substr($4, 2)
	if ($1 == "pci_cfg_write") {
		pend = "cfg_w"
		config_access(conf_cpu)
	}
	next
}

phase == "" { next }

/^memory_region_ops_(read|write) / {
	k = kind($13)
	if (k == "")
		next
	rw = $1 == "memory_region_ops_read" ? "r" : "w"
	bump(k "_" rw)
	detail(k "_" rw, $7, $11, $3)
	next
}

/^virtio_pci_notify_write / { bump("kick"); next }
/^virtio_notify / { bump("irq"); next }

END {
	for (i = 1; i <= nphases; i++)
		for (key in n) {
			split(key, f, SUBSEP)
			if (f[1] == order[i])
				printf "count\t%s\t%s\t%d\n", f[1], f[2], n[key]
		}
	for (key in d) {
		split(key, f, SUBSEP)
		printf "detail\t%s\t%s\t%s\t%s\t%d\n", f[1], f[2], f[3], f[4], d[key]
	}
	for (key in a) {
		split(key, f, SUBSEP)
		printf "attr\t%s\t%s\t%s\t%s\t%s\t%d\n", f[1], f[2], f[3], f[4], f[5], a[key]
	}
	if (calls || garbled)
		printf "markers\tmoved %d unmatched %d garbled %d\n", moved, unmatched, garbled
}
