# SPDX-License-Identifier: GPL-2.0
#
# report.awk - formats the facts report.sh gathered (facts.tsv, tab
# separated) as Markdown (-v fmt=md), JSON (-v fmt=json) or the probe
# chart's data for one kernel (-v fmt=dat -v want=SERIES).
#
# Ratios are ours / in-tree.  For accesses and probe time lower is better;
# for IOPS and frames per second higher is better.  Timing ratios are the
# ratio of the medians; their spread is the range of the per-round ratios
# (the drivers alternate within a round, so a round is a matched pair).

# ---------------------------------------------------------------- helpers

# Sorts a[1..n] in place (insertion sort: n is small).
function sort_n(a, n,    i, j, v) {
	for (i = 2; i <= n; i++) {
		v = a[i]
		for (j = i - 1; j >= 1 && a[j] > v; j--)
			a[j + 1] = a[j]
		a[j + 1] = v
	}
}

function median(a, n,    b, i) {
	if (n == 0)
		return ""
	for (i = 1; i <= n; i++)
		b[i] = a[i]
	sort_n(b, n)
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}

function amin(a, n,    i, m) {
	m = a[1]
	for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]
	return m
}

function amax(a, n,    i, m) {
	m = a[1]
	for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]
	return m
}

function ratio(a, b) {
	return (a == "" || b == "" || b == 0) ? "" : sprintf("%.2f", a / b)
}

# Row of the per-register table for an access (count.awk's WHAT and
# OFFSET): a sort key, a tab, a label.  Configuration space is shown as
# header and capability list; the common configuration by register.
function regrow(what, off,    rw, o) {
	rw = substr(what, length(what)) == "r" ? "read" : "write"
	o = hex(off)
	if (what ~ /^cfg_/)
		return sprintf("1%s%d\tconfiguration space %s, %s", rw, o >= 64, o >= 64 ? "capability list (0x40-0xff)" : "header (0x00-0x3f)", rw)
	if (what ~ /^common_/)
		return sprintf("2%03d%s\tcommon: %s, %s", o, rw, (o in cname) ? cname[o] : off, rw)
	if (what ~ /^device_/) return "3\tdevice configuration, " rw
	if (what ~ /^isr_/) return "4\tISR status, " rw
	if (what ~ /^notify_/) return "5\tnotify, " rw
	if (what ~ /^msix_/) return "6\tMSI-X table, " rw
	return "7\t" what ", " rw
}

function jstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}

function jnum(v) {
	return v == "" ? "null" : v
}

# ---------------------------------------------------------------- input

# Names of the common configuration's registers by offset (decimal: mawk
# reads no hex constants).
BEGIN {
	n = split("0 device_feature_select 4 device_feature 8 driver_feature_select 12 driver_feature 16 msix_config 18 num_queues 20 device_status 21 config_generation 22 queue_select 24 queue_size 26 queue_msix_vector 28 queue_enable 30 queue_notify_off 32 queue_desc_lo 36 queue_desc_hi 40 queue_driver_lo 44 queue_driver_hi 48 queue_device_lo 52 queue_device_hi 56 queue_notify_data 58 queue_reset", w, " ")
	for (i = 1; i < n; i += 2)
		cname[w[i] + 0] = w[i + 1]
}

$1 == "ctx" { ctx[$2] = $3; next }
$1 == "kver" { nser++; ser[nser] = $2; kver[$2] = $3; next }
# Registers N (a count of probed functions) for series S.
function add_n(s, n) {
	if ((s, n) in hasn)
		return
	hasn[s, n] = 1
	nn[s]++
	ns[s, nn[s]] = n
}

$1 == "acc" {
	acc[$2, $3, $4, $5] = $6
	if (!(($2, $4) in hasph)) {
		hasph[$2, $4] = 1
		nph[$2]++
		phs[$2, nph[$2]] = $4
	}
	if ($4 ~ /^probe-scale-/)
		add_n($2, substr($4, 13) + 0)
	next
}
$1 == "gi" { gi[$2, $3, $4] = $5; next }
$1 == "det" {
	k = regrow($4, $5)
	if (!(($2, k) in hasrow)) {
		hasrow[$2, k] = 1
		nrow[$2]++
		rowk[$2, nrow[$2]] = k
	}
	det[$2, $3, k] += $6
	next
}
$1 == "probe" {
	k = $2 SUBSEP $3 SUBSEP $4
	pn[k]++
	pv[k, pn[k]] = $6 / 1000
	pr[$2, $3, $4, $5] = $6 / 1000
	add_n($2, $4 + 0)
	if ($5 > rounds[$2]) rounds[$2] = $5
	next
}
$1 == "iops" || $1 == "pps" {
	k = $1 SUBSEP $2 SUBSEP $3
	tn[k]++
	tv[k, tn[k]] = $5 + 0
	trd[$1, $2, $3, $4] = $5 + 0
	if ($4 > rounds[$2]) rounds[$2] = $4
	next
}

# ---------------------------------------------------------------- derived values

function total(s, d, p,    k, t, i) {
	if (!((s, d, p, "cfg_r") in acc))
		return ""
	t = 0
	for (i = 1; i <= nkeys; i++)
		t += acc[s, d, p, keys[i]]
	return t
}

# One counter; 0 when the phase ran without it, "" when it did not run.
function a(s, d, p, key) {
	return ((s, d, p, "cfg_r") in acc) ? acc[s, d, p, key] + 0 : ""
}

# Median, min and max of the probe times of N functions (ms).
function probe_stats(s, d, n,    k, v, i) {
	k = s SUBSEP d SUBSEP n
	for (i = 1; i <= pn[k]; i++)
		v[i] = pv[k, i]
	P_MED = median(v, pn[k] + 0)
	P_MIN = pn[k] ? amin(v, pn[k]) : ""
	P_MAX = pn[k] ? amax(v, pn[k]) : ""
}

# Per-round ratios ours / in-tree of a timing series; sets R_MIN, R_MAX.
function round_ratios(getter, s, n,    r, v, c, o, t) {
	c = 0
	for (r = 1; r <= rounds[s]; r++) {
		if (getter == "probe") {
			o = pr[s, "ours", n, r]
			t = pr[s, "intree", n, r]
		} else {
			o = trd[getter, s, "ours", r]
			t = trd[getter, s, "intree", r]
		}
		if (o != "" && t != "" && t > 0)
			v[++c] = o / t
	}
	R_MIN = c ? sprintf("%.2f", amin(v, c)) : ""
	R_MAX = c ? sprintf("%.2f", amax(v, c)) : ""
}

function tput_stats(kind, s, d,    k, v, i) {
	k = kind SUBSEP s SUBSEP d
	for (i = 1; i <= tn[k]; i++)
		v[i] = tv[k, i]
	T_MED = median(v, tn[k] + 0)
	T_MIN = tn[k] ? amin(v, tn[k]) : ""
	T_MAX = tn[k] ? amax(v, tn[k]) : ""
	T_N = tn[k] + 0
}

# Least-squares line through (N, median ms); sets FIT_A, FIT_B, FIT_R2.
function fit(s, d,    i, n, x, y, sx, sy, sxx, sxy, syy, c, den) {
	c = 0
	for (i = 1; i <= nn[s]; i++) {
		n = ns[s, i]
		probe_stats(s, d, n)
		if (P_MED == "")
			continue
		x = n; y = P_MED; c++
		sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y
	}
	FIT_A = FIT_B = FIT_R2 = ""
	if (c < 2)
		return
	den = c * sxx - sx * sx
	if (den == 0)
		return
	FIT_B = (c * sxy - sx * sy) / den
	FIT_A = (sy - FIT_B * sx) / c
	den = (c * sxx - sx * sx) * (c * syy - sy * sy)
	FIT_R2 = den > 0 ? (c * sxy - sx * sy) ^ 2 / den : ""
}

# ---------------------------------------------------------------- Markdown

function cell(s, p, key1, key2,    o, t) {
	o = a(s, "ours", p, key1)
	t = a(s, "intree", p, key1)
	if (key2 != "") {
		o += a(s, "ours", p, key2)
		t += a(s, "intree", p, key2)
	}
	return o " / " t
}

function md_access_table(s,    i, p, o, t) {
	print "| phase | cfg R | cfg W | common R | common W | device R+W | ISR R | notify W | MSI-X table R+W | interrupts | total | ratio |"
	print "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	for (i = 1; i <= nrows; i++) {
		p = rowid[i]
		o = total(s, "ours", p)
		t = total(s, "intree", p)
		if (o == "" || t == "")
			continue
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | **%s / %s** | %s |\n", \
			rowlabel[i], cell(s, p, "cfg_r"), cell(s, p, "cfg_w"), \
			cell(s, p, "common_r"), cell(s, p, "common_w"), \
			cell(s, p, "device_r", "device_w"), cell(s, p, "isr_r"), \
			cell(s, p, "notify_w"), cell(s, p, "msix_r", "msix_w"), \
			cell(s, p, "irq"), o, t, ratio(o, t)
	}
}

# Accesses per request other than the doorbell (and, with INTx, the ISR).
function floor_line(s, p, label, n,    o, t, on, tn_, oi, ti) {
	o = total(s, "ours", p)
	t = total(s, "intree", p)
	if (o == "" || t == "")
		return
	on = a(s, "ours", p, "notify_w"); tn_ = a(s, "intree", p, "notify_w")
	oi = a(s, "ours", p, "isr_r"); ti = a(s, "intree", p, "isr_r")
	printf "- %s: %.2f notify writes and %d other accesses per request, ISR reads %d for %s guest interrupts (in-tree: %.2f, %d, %d for %s)\n", \
		label, on / n, o - on - oi, oi, gi[s, "ours", p], \
		tn_ / n, t - tn_ - ti, ti, gi[s, "intree", p]
}

# "median (min-max)" of a probe time, or "n/a" without a timing run.
function ms3(m, l, h) {
	return m == "" ? "n/a" : sprintf("%.1f (%.1f-%.1f)", m, l, h)
}

# The scaling rows: one per N that has counts or times.
function md_scaling_table(s,    i, n, ao, at, mo, lo, ho, mt, lt, ht) {
	print "| functions | accesses ours | in-tree | ratio | per function ours / in-tree | probe ms ours: median (min-max) | in-tree | time ratio (round range) |"
	print "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for (i = 1; i <= nn[s]; i++) {
		n = ns[s, i]
		ao = total(s, "ours", "probe-scale-" n)
		at = total(s, "intree", "probe-scale-" n)
		probe_stats(s, "ours", n); mo = P_MED; lo = P_MIN; ho = P_MAX
		probe_stats(s, "intree", n); mt = P_MED; lt = P_MIN; ht = P_MAX
		round_ratios("probe", s, n)
		printf "| %d | %s | %s | %s | %s / %s | %s | %s | **%s** (%s-%s) |\n", \
			n, ao, at, ratio(ao, at), \
			ao == "" ? "" : ao / n, at == "" ? "" : at / n, \
			ms3(mo, lo, ho), ms3(mt, lt, ht), ratio(mo, mt), R_MIN, R_MAX
	}
}

function md_fit(s, d, name) {
	fit(s, d)
	if (FIT_B != "")
		printf "%s t = %.1f ms + %.2f ms x N (R^2 = %.3f)", name, FIT_A, FIT_B, FIT_R2
}

function md_tput_row(kind, s, label, unit,    mo, lo, ho, mt, lt, ht) {
	tput_stats(kind, s, "ours"); mo = T_MED; lo = T_MIN; ho = T_MAX
	tput_stats(kind, s, "intree"); mt = T_MED; lt = T_MIN; ht = T_MAX
	if (mo == "" || mt == "")
		return
	round_ratios(kind, s)
	printf "| %s | %d (%d-%d) | %d (%d-%d) | **%s** | %s-%s | %d |\n", \
		label, mo, lo, ho, mt, lt, ht, ratio(mo, mt), R_MIN, R_MAX, T_N
}

# The virtio-blk probe register by register: where the two drivers differ.
function md_register_table(s,    i, j, k, keyv, lab, o, t, n, tmp) {
	n = nrow[s]
	for (i = 1; i <= n; i++)
		keyv[i] = rowk[s, i]
	sort_n(keyv, n)
	print "| register (probe: virtio-blk) | ours | in-tree | difference |"
	print "| --- | --- | --- | --- |"
	for (i = 1; i <= n; i++) {
		k = keyv[i]
		lab = substr(k, index(k, "\t") + 1)
		o = det[s, "ours", k] + 0
		t = det[s, "intree", k] + 0
		printf "| %s | %d | %d | %s |\n", lab, o, t, o == t ? "" : sprintf("%+d", o - t)
	}
}

function md_kernel(s,    ob, tb, oc, tc) {
	printf "\n## Linux %s (`%s`)\n\n", s, kver[s]
	ob = total(s, "ours", "probe-blk"); tb = total(s, "intree", "probe-blk")
	oc = a(s, "ours", "probe-blk", "cfg_r") + a(s, "ours", "probe-blk", "cfg_w")
	tc = a(s, "intree", "probe-blk", "cfg_r") + a(s, "intree", "probe-blk", "cfg_w")
	if (ob != "")
		printf "Probe-access ratio, one virtio-blk function: **%s** (%d / %d accesses); configuration space alone: %s (%d / %d).\n\n", \
			ratio(ob, tb), ob, tb, ratio(oc, tc), oc, tc
	if (nph[s]) {
		print "### Register accesses per phase (exact counts, ours / in-tree)\n"
		md_access_table(s)
		print ""
		print "I/O path:\n"
		floor_line(s, "read", "MSI-X, 4 KiB read", 256)
		floor_line(s, "write", "MSI-X, 4 KiB write", 256)
		floor_line(s, "read-intx", "INTx, 4 KiB read", 256)
		floor_line(s, "write-intx", "INTx, 4 KiB write", 256)
		print ""
	}
	if (nrow[s]) {
		print "### Probe of one virtio-blk function, register by register\n"
		md_register_table(s)
		print ""
	}
	if (nn[s]) {
		print "### Probe of N virtio-blk functions (bind to all disks present)\n"
		md_scaling_table(s)
		print ""
		printf "Linear fit of the medians: "
		md_fit(s, "ours", "ours")
		printf "; "
		md_fit(s, "intree", "in-tree")
		print ".\n"
	}
	if (("iops", s, "ours") in tn || ("pps", s, "ours") in tn) {
		print "### Throughput (median (min-max) of alternating rounds)\n"
		print "| workload | ours | in-tree | ratio | round ratios | rounds |"
		print "| --- | --- | --- | --- | --- | --- |"
		md_tput_row("iops", s, "virtio-blk 4 KiB random read, IOPS (fio, libaio, qd 32, null-co)")
		md_tput_row("pps", s, "virtio-net frames/s, NIC A to NIC B (pktgen, 60 bytes)")
		print ""
	}
}

function md(    i) {
	print "# virtio-pci-layout benchmark"
	print ""
	printf "QEMU %s, accel %s (single-threaded TCG), q35, 2 vCPUs, 1 GiB; ", ctx["qemu"], ctx["accel"]
	print "modern-only devices with `ioeventfd=off`; both drivers bound in turn in the same boot."
	printf "Run %s, %s mode, %d min wall time; host: %s.\n", ctx["date"], ctx["mode"], (ctx["wall"] + 30) / 60, ctx["host"]
	for (i = 1; i <= nser; i++)
		md_kernel(ser[i])
	print "Notes:"
	print ""
	print "- Access counts come from QEMU's trace (`pci_cfg_read/write`, `memory_region_ops_read/write` by region, `virtio_pci_notify_write`, `virtio_notify`) between phase markers the guest writes to `isa-debugcon`; they are exact and do not depend on the host. A probe includes what the PCI core (enable, MSI-X table), the virtio core (status, features) and the class driver (device configuration, virtio-blk's partition scan: 3 reads) do for the transport."
	print "- The net phases' notify and interrupt counts depend on timing: QEMU suppresses notifications while it drains a queue (event index), so they vary from run to run and between drivers; the block phases are exact."
	print "- \"interrupts\" counts the device's `virtio_notify` events; with INTx several can fold into one level-triggered interrupt, so the ISR reads match the guest's interrupt count (given with the I/O path lines), not the events."
	print "- Timings are TCG on a shared 2-core host: noisy. Compare the ratios and the round ranges, not absolute values."
}

# ---------------------------------------------------------------- JSON

function json_counts(s, d,    i, p, j, sep, sep2) {
	printf "{"
	sep = ""
	for (i = 1; i <= nph[s]; i++) {
		p = phs[s, i]
		if (!((s, d, p, "cfg_r") in acc))
			continue
		printf "%s\n        %s: {", sep, jstr(p)
		sep2 = ""
		for (j = 1; j <= nkeys; j++) {
			printf "%s%s: %d", sep2, jstr(keys[j]), a(s, d, p, keys[j])
			sep2 = ", "
		}
		printf ", \"kick\": %d, \"irq\": %d, \"total\": %d", a(s, d, p, "kick"), a(s, d, p, "irq"), total(s, d, p)
		if ((s, d, p) in gi)
			printf ", \"guest_irqs\": %d", gi[s, d, p]
		printf "}"
		sep = ","
	}
	printf "\n      }"
}

function json_list(kind, s, d,    k, i, sep) {
	k = kind SUBSEP s SUBSEP d
	printf "["
	for (i = 1; i <= tn[k]; i++)
		printf "%s%s", (i > 1 ? ", " : ""), tv[k, i]
	printf "]"
}

function json_probe(s, d,    i, n, k, j) {
	printf "{"
	for (i = 1; i <= nn[s]; i++) {
		n = ns[s, i]
		k = s SUBSEP d SUBSEP n
		printf "%s%s: [", (i > 1 ? ", " : ""), jstr(n)
		for (j = 1; j <= pn[k]; j++)
			printf "%s%.3f", (j > 1 ? ", " : ""), pv[k, j]
		printf "]"
	}
	printf "}"
}

function json_summary(s,    i, n, mo, mt, kind, sep) {
	printf "{\"probe_access_ratio_blk\": %s", jnum(ratio(total(s, "ours", "probe-blk"), total(s, "intree", "probe-blk")))
	printf ", \"probe_access_ratio_net\": %s", jnum(ratio(total(s, "ours", "probe-net"), total(s, "intree", "probe-net")))
	printf ", \"probe_access_ratio_mqnet\": %s", jnum(ratio(total(s, "ours", "probe-mqnet"), total(s, "intree", "probe-mqnet")))
	printf ", \"probe_time_ratio\": {"
	for (i = 1; i <= nn[s]; i++) {
		n = ns[s, i]
		probe_stats(s, "ours", n); mo = P_MED
		probe_stats(s, "intree", n); mt = P_MED
		round_ratios("probe", s, n)
		printf "%s%s: {\"ratio\": %s, \"round_min\": %s, \"round_max\": %s, \"ours_ms\": %s, \"intree_ms\": %s}", \
			(i > 1 ? ", " : ""), jstr(n), jnum(ratio(mo, mt)), jnum(R_MIN), jnum(R_MAX), jnum(mo), jnum(mt)
	}
	printf "}"
	split("iops pps", kinds, " ")
	for (i = 1; i <= 2; i++) {
		kind = kinds[i]
		tput_stats(kind, s, "ours"); mo = T_MED
		tput_stats(kind, s, "intree"); mt = T_MED
		round_ratios(kind, s)
		printf ", \"%s_ratio\": {\"ratio\": %s, \"round_min\": %s, \"round_max\": %s, \"ours\": %s, \"intree\": %s}", \
			kind, jnum(ratio(mo, mt)), jnum(R_MIN), jnum(R_MAX), jnum(mo), jnum(mt)
	}
	printf "}"
}

function json(    i, s, d, dd) {
	print "{"
	printf "  \"qemu\": %s, \"accel\": %s, \"date\": %s, \"mode\": %s, \"wall_seconds\": %d, \"host\": %s,\n", \
		jstr(ctx["qemu"]), jstr(ctx["accel"]), jstr(ctx["date"]), jstr(ctx["mode"]), ctx["wall"], jstr(ctx["host"])
	print "  \"kernels\": ["
	for (i = 1; i <= nser; i++) {
		s = ser[i]
		printf "    {\"series\": %s, \"release\": %s,\n", jstr(s), jstr(kver[s])
		printf "     \"summary\": "
		json_summary(s)
		print ","
		split("ours intree", dd, " ")
		for (d = 1; d <= 2; d++) {
			printf "     %s: {\n      \"accesses\": ", jstr(dd[d])
			json_counts(s, dd[d])
			printf ",\n      \"probe_ms\": "
			json_probe(s, dd[d])
			printf ",\n      \"iops\": "
			json_list("iops", s, dd[d])
			printf ",\n      \"pps\": "
			json_list("pps", s, dd[d])
			printf "\n     }%s\n", (d == 1 ? "," : "")
		}
		printf "    }%s\n", (i < nser ? "," : "")
	}
	print "  ]"
	print "}"
}

# ---------------------------------------------------------------- chart data

# gnuplot's word for a missing value: columns must stay in place.
function nan(v) {
	return v == "" ? "NaN" : v
}

function dat(s,    i, n) {
	print "# N accesses_ours accesses_intree ms_ours_median ms_ours_min ms_ours_max ms_intree_median ms_intree_min ms_intree_max"
	for (i = 1; i <= nn[s]; i++) {
		n = ns[s, i]
		printf "%d %s %s", n, nan(total(s, "ours", "probe-scale-" n)), nan(total(s, "intree", "probe-scale-" n))
		probe_stats(s, "ours", n)
		printf " %s %s %s", nan(P_MED), nan(P_MIN), nan(P_MAX)
		probe_stats(s, "intree", n)
		printf " %s %s %s\n", nan(P_MED), nan(P_MIN), nan(P_MAX)
	}
}

END {
	nkeys = split("cfg_r cfg_w common_r common_w device_r device_w isr_r isr_w notify_r notify_w msix_r msix_w pba_r pba_w", keys, " ")
	nrows = split("probe-blk probe-net probe-mqnet probe-blk-intx read write net read-intx write-intx net-intx unbind-blk unbind-net unbind-mqnet unbind-blk-intx", rowid, " ")
	split("probe: virtio-blk|probe: virtio-net|probe: virtio-net, 4 queue pairs|probe: virtio-blk, INTx|256 x 4 KiB reads|256 x 4 KiB writes|1000 frames A to B|256 x 4 KiB reads, INTx|256 x 4 KiB writes, INTx|1000 frames C to D, INTx|unbind: virtio-blk|unbind: virtio-net|unbind: virtio-net, 4 queue pairs|unbind: virtio-blk, INTx", rowlabel, "|")
	if (fmt == "md")
		md()
	else if (fmt == "json")
		json()
	else if (fmt == "dat")
		dat(want)
}
