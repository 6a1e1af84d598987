#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py FACTS OUT

Formats the facts bench/report.sh gathered (FACTS, facts.tsv: tab separated,
one fact per line, see report.sh) as OUT/results.md, OUT/results.json and,
per kernel, the probe chart's data OUT/probe-SERIES.dat.

Ratios are ours / in-tree.  For accesses and probe time lower is better;
for IOPS and frames per second higher is better.  Timing ratios are the
ratio of the medians; their spread is the range of the per-round ratios
(the drivers alternate within a round, so a round is a matched pair).
"""
import json
import os
import statistics
import sys

DRIVERS = ("ours", "intree")
# The counters of a phase (count.awk), in the order the JSON lists them.
KEYS = ("cfg_r cfg_w common_r common_w device_r device_w isr_r isr_w "
        "notify_r notify_w msix_r msix_w pba_r pba_w").split()
# The phases of the access table, with their labels.
ROWS = (
    ("probe-blk", "probe: virtio-blk"),
    ("probe-net", "probe: virtio-net"),
    ("probe-mqnet", "probe: virtio-net, 4 queue pairs"),
    ("probe-blk-intx", "probe: virtio-blk, INTx"),
    ("read", "256 x 4 KiB reads"),
    ("write", "256 x 4 KiB writes"),
    ("net", "1000 frames A to B"),
    ("read-intx", "256 x 4 KiB reads, INTx"),
    ("write-intx", "256 x 4 KiB writes, INTx"),
    ("net-intx", "1000 frames C to D, INTx"),
    ("unbind-blk", "unbind: virtio-blk"),
    ("unbind-net", "unbind: virtio-net"),
    ("unbind-mqnet", "unbind: virtio-net, 4 queue pairs"),
    ("unbind-blk-intx", "unbind: virtio-blk, INTx"),
)
# The common configuration's registers by offset (virtio 1.2 §4.1.4.3).
COMMON = {
    0: "device_feature_select", 4: "device_feature",
    8: "driver_feature_select", 12: "driver_feature", 16: "msix_config",
    18: "num_queues", 20: "device_status", 21: "config_generation",
    22: "queue_select", 24: "queue_size", 26: "queue_msix_vector",
    28: "queue_enable", 30: "queue_notify_off", 32: "queue_desc_lo",
    36: "queue_desc_hi", 40: "queue_driver_lo", 44: "queue_driver_hi",
    48: "queue_device_lo", 52: "queue_device_hi", 56: "queue_notify_data",
    58: "queue_reset",
}


# ---------------------------------------------------------------- helpers

def num(v):
    """A number as the report prints it: integers without a fraction,
    others with six significant digits; None as an empty string."""
    if v is None:
        return ""
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.6g}"


def ratio(a, b):
    """"0.68"-style ratio a / b, or None when either is missing or b is 0."""
    if a is None or b is None or b == 0:
        return None
    return f"{a / b:.2f}"


def stats(values):
    """Median, min and max of VALUES, or three Nones for none."""
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def hexval(s):
    """The value of a hexadecimal string, with or without 0x, up to the
    first character that is not a hex digit."""
    s = s[2:] if s.startswith("0x") else s
    v = 0
    for c in s.lower():
        d = "0123456789abcdef".find(c)
        if d < 0:
            break
        v = v * 16 + d
    return v


def regrow(what, off):
    """The per-register table's row of an access (count.awk's WHAT and
    OFFSET): a sort key, a tab and the label.  Configuration space is shown
    as header and capability list; the common configuration by register."""
    rw = "read" if what.endswith("r") else "write"
    o = hexval(off)
    if what.startswith("cfg_"):
        part = "capability list (0x40-0xff)" if o >= 64 else "header (0x00-0x3f)"
        return f"1{rw}{int(o >= 64)}\tconfiguration space {part}, {rw}"
    if what.startswith("common_"):
        return f"2{o:03d}{rw}\tcommon: {COMMON.get(o, off)}, {rw}"
    for prefix, key, label in (("device_", "3", "device configuration"),
                               ("isr_", "4", "ISR status"), ("notify_", "5", "notify"),
                               ("msix_", "6", "MSI-X table")):
        if what.startswith(prefix):
            return f"{key}\t{label}, {rw}"
    return f"7\t{what}, {rw}"


def number(s):
    """A measured value: an int when it is one, else a float."""
    v = float(s)
    return int(v) if v.is_integer() else v


# ---------------------------------------------------------------- input

class Kernel:
    """Everything known about one kernel series."""

    def __init__(self, series, release):
        self.series = series
        self.release = release
        self.acc = {}       # (driver, phase) -> {counter: n}
        self.phases = []    # phases in order of appearance
        self.guest_irqs = {}    # (driver, phase) -> n
        self.regs = {}      # (driver, row) -> n; rows: regrow()
        self.rows = set()
        self.probe = {}     # (driver, n) -> [ms, ...] in input order
        self.probe_round = {}   # (driver, n, round) -> ms
        self.sizes = []     # N with counts or times, in order of appearance
        self.tput = {}      # (kind, driver) -> [value, ...]
        self.tput_round = {}    # (kind, driver, round) -> value
        self.rounds = 0
        self.qemu = None
        self.attr = {}      # (driver, phase, what, offset, chain id) -> n
        self.chains = {}    # chain id -> (probed function, [frame, ...])
        self.probes = {}    # probed function -> (state, missed)
        self.markers = None     # (moved, unmatched, garbled), count.awk

    def add_size(self, n):
        if n not in self.sizes:
            self.sizes.append(n)

    def total(self, driver, phase):
        """All accesses of a phase, None when the phase did not run."""
        c = self.acc.get((driver, phase))
        return None if c is None else sum(c.get(k, 0) for k in KEYS)

    def count(self, driver, phase, key):
        """One counter; 0 when the phase ran without it, None when it did
        not run."""
        c = self.acc.get((driver, phase))
        return None if c is None else c.get(key, 0)

    def round_ratios(self, kind, n=None):
        """Range of the per-round ratios ours / in-tree of a timing series,
        as two "%.2f" strings (None, None without a matched round)."""
        r = []
        for rnd in range(1, self.rounds + 1):
            if kind == "probe":
                o = self.probe_round.get(("ours", n, rnd))
                t = self.probe_round.get(("intree", n, rnd))
            else:
                o = self.tput_round.get((kind, "ours", rnd))
                t = self.tput_round.get((kind, "intree", rnd))
            if o is not None and t is not None and t > 0:
                r.append(o / t)
        if not r:
            return None, None
        return f"{min(r):.2f}", f"{max(r):.2f}"

    def fit(self, driver):
        """Least-squares line through (N, median ms): a, b and R^2, or
        Nones with fewer than two points."""
        pts = [(n, stats(self.probe.get((driver, n), []))[0]) for n in self.sizes]
        pts = [(x, y) for x, y in pts if y is not None]
        c = len(pts)
        if c < 2:
            return None, None, None
        sx = sum(x for x, _ in pts)
        sy = sum(y for _, y in pts)
        sxx = sum(x * x for x, _ in pts)
        sxy = sum(x * y for x, y in pts)
        syy = sum(y * y for _, y in pts)
        den = c * sxx - sx * sx
        if den == 0:
            return None, None, None
        b = (c * sxy - sx * sy) / den
        a = (sy - b * sx) / c
        den = (c * sxx - sx * sx) * (c * syy - sy * sy)
        r2 = (c * sxy - sx * sy) ** 2 / den if den > 0 else None
        return a, b, r2


def read_facts(path):
    """The context (dict) and the kernels (list of Kernel) of FACTS."""
    ctx, kernels = {}, {}
    order = []
    with open(path) as f:
        for line in f:
            w = line.rstrip("\n").split("\t")
            kind = w[0]
            if kind == "ctx":
                ctx[w[1]] = w[2]
                continue
            if kind == "kver":
                kernels[w[1]] = Kernel(w[1], w[2])
                order.append(w[1])
                continue
            k = kernels[w[1]]
            if kind == "acc":
                _, _, drv, phase, key, n = w
                if phase not in k.phases:
                    k.phases.append(phase)
                k.acc.setdefault((drv, phase), {})[key] = int(n)
                if phase.startswith("probe-scale-"):
                    k.add_size(int(phase[len("probe-scale-"):]))
            elif kind == "kqemu":
                k.qemu = w[2]
            elif kind == "att":
                _, _, drv, phase, what, off, cid, n = w
                key = (drv, phase, what, off, int(cid))
                k.attr[key] = k.attr.get(key, 0) + int(n)
            elif kind == "stk":
                k.chains[int(w[2])] = (w[3], w[4:])
            elif kind == "prb":
                k.probes[w[2]] = (w[3], int(w[4]))
            elif kind == "mrk":
                k.markers = tuple(int(x) for x in w[2:5])
            elif kind == "gi":
                k.guest_irqs[(w[2], w[3])] = int(w[4])
            elif kind == "det":
                row = regrow(w[3], w[4])
                k.rows.add(row)
                k.regs[(w[2], row)] = k.regs.get((w[2], row), 0) + int(w[5])
            elif kind == "probe":
                drv, n, rnd, ms = w[2], int(w[3]), int(w[4]), int(w[5]) / 1000
                k.probe.setdefault((drv, n), []).append(ms)
                k.probe_round[(drv, n, rnd)] = ms
                k.add_size(n)
                k.rounds = max(k.rounds, rnd)
            elif kind in ("iops", "pps"):
                drv, rnd, v = w[2], int(w[3]), number(w[4])
                k.tput.setdefault((kind, drv), []).append(v)
                k.tput_round[(kind, drv, rnd)] = v
                k.rounds = max(k.rounds, rnd)
    return ctx, [kernels[s] for s in order]


# ---------------------------------------------------------------- attribution

# Who made an access (bench/attr/vpl_attr.c records the call chain of the
# innermost probed function open on the vCPU).  A frame's layer comes from
# its module or, for built-in code, its name.
LAYERS = ("transport", "virtio core", "class driver", "PCI core", "MSI/IRQ core", "other")
ACCESSORS = {"pci_conf1_read", "pci_conf1_write", "pci_mmcfg_read", "pci_mmcfg_write",
             "raw_pci_read", "raw_pci_write", "ioread8", "ioread16", "ioread32",
             "iowrite8", "iowrite16", "iowrite32"}
TRANSPORT_MODULES = {"virtio_pci_layout", "virtio_pci", "virtio_pci_modern_dev",
                     "virtio_pci_legacy_dev"}
CORE_MODULES = {"virtio", "virtio_ring"}
# Functions of the PCI core that only pass a configuration access on.
PASS_ON = ("pci_read", "pci_write", "pci_bus_read_config_", "pci_bus_write_config_",
           "pci_read_config_", "pci_write_config_", "pcie_capability_read_",
           "pcie_capability_write_", "pcie_capability_clear_and_set_")


def frame_parts(frame):
    """("function", "module" or "") of a %pS frame such as
    "vpl_get+0x2c/0x90 [virtio_pci_layout]"."""
    mod = ""
    if frame.endswith("]") and " [" in frame:
        frame, mod = frame[:-1].split(" [", 1)
    return frame.split("+", 1)[0], mod


def layer(func, mod):
    """The layer of a frame: LAYERS, or None for frames to look past (the
    probes' own machinery, entry code)."""
    if mod == "vpl_attr" or func.startswith("0x") or func.startswith((
            "kretprobe", "kprobe", "__kretprobe", "pre_handler_kretprobe", "ftrace",
            "arch_rethook", "rethook", "asm_exc_", "exc_int3", "do_int3", "stack_trace",
            "opt_pre_handler", "optimized_callback", "aggr_pre_handler")):
        return None
    if mod in TRANSPORT_MODULES or func.startswith(("vp_", "virtio_pci_", "vpl_")):
        return "transport"
    if mod in CORE_MODULES or func.startswith(("virtio_", "__virtio_", "vring_", "virtqueue_",
                                               "register_virtio", "unregister_virtio",
                                               "__vring_", "vq_")):
        return "virtio core"
    if mod.startswith("virtio_") or func.startswith(("virtblk_", "virtnet_", "virtscsi_",
                                                      "init_vq", "init_vqs")):
        return "class driver"
    if "msi" in func or "irq" in func or func.startswith(("apic_", "x86_vector", "assign_",
                                                           "vector_", "__assign_irq")):
        return "MSI/IRQ core"
    if func.startswith(("pci_", "__pci_", "pcie_", "pcibios_", "do_pci_", "local_pci_",
                        "raw_pci_")):
        return "PCI core"
    return "other"


def chain_frames(k, cid):
    """The probed function and its callers, innermost first, as
    (function, layer) pairs; the frames below the probed function (the
    probe's handler) are cut.  None for chain 0 (no call open)."""
    if cid not in k.chains:
        return None
    probed, frames = k.chains[cid]
    parts = [frame_parts(f) for f in frames]
    names = [p[0] for p in parts]
    start = names.index(probed) if probed in names else 0
    out = [(probed, layer(probed, ""))]
    for func, mod in parts[start + 1:]:
        lay = layer(func, mod)
        if lay is not None:
            out.append((func, lay))
    return out


def attribute(k, cid):
    """(source, on behalf of, call site) of an access made within chain
    CID.  The source is the layer of the code that made the access (the
    accessors and the PCI core's pass-on functions looked past); on behalf
    of, the first virtio layer above it other than its own; the call site
    names the two functions."""
    fr = chain_frames(k, cid)
    if fr is None:
        return "unattributed", "", "(no probed call open)"
    i = 0
    while i < len(fr) - 1 and (fr[i][0] in ACCESSORS or fr[i][0].startswith(PASS_ON)):
        i += 1
    func, src = fr[i]
    if fr[0][0].startswith("io") and src != "transport":
        # Only the transports map virtio regions: an ioread/iowrite whose
        # caller is no transport function was reached by a tail call from
        # one (vpl_set_status() ends in iowrite8(), say).
        return "transport", src, f"{fr[0][0]} (tail call) < {func}"
    for j, (caller, lay) in enumerate(fr[i + 1:], i + 1):
        if lay in ("transport", "virtio core", "class driver") and lay != src:
            via = f" < {fr[i + 1][0]}" if j > i + 1 else ""
            more = " < ..." if j > i + 2 else ""
            return src, lay, f"{func}{via}{more} < {caller}"
    return src, "", func


def attr_rows(k, driver, phase):
    """{(source, behalf, register row, call site): n} for one probe."""
    rows = {}
    for (drv, ph, what, off, cid), n in k.attr.items():
        if drv != driver or ph != phase:
            continue
        src, behalf, site = attribute(k, cid)
        key = (src, behalf, regrow(what, off), site)
        rows[key] = rows.get(key, 0) + n
    return rows


def attr_by_source(k, driver, phase):
    """{source: n} of one probe."""
    out = {}
    for (src, _, _, _), n in attr_rows(k, driver, phase).items():
        out[src] = out.get(src, 0) + n
    return out


# ---------------------------------------------------------------- Markdown

def md_cell(k, phase, *keys):
    o = sum(k.count("ours", phase, key) or 0 for key in keys)
    t = sum(k.count("intree", phase, key) or 0 for key in keys)
    return f"{o} / {t}"


def md_access_table(k, out):
    out.append("| phase | cfg R | cfg W | common R | common W | device R+W | ISR R | notify W | MSI-X table R+W | interrupts | total | ratio |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for phase, label in ROWS:
        o, t = k.total("ours", phase), k.total("intree", phase)
        if o is None or t is None:
            continue
        cells = [md_cell(k, phase, "cfg_r"), md_cell(k, phase, "cfg_w"),
                 md_cell(k, phase, "common_r"), md_cell(k, phase, "common_w"),
                 md_cell(k, phase, "device_r", "device_w"), md_cell(k, phase, "isr_r"),
                 md_cell(k, phase, "notify_w"), md_cell(k, phase, "msix_r", "msix_w"),
                 md_cell(k, phase, "irq")]
        out.append(f"| {label} | {' | '.join(cells)} | **{o} / {t}** | {ratio(o, t) or ''} |")


def md_floor_line(k, phase, label, n, out):
    """Accesses per request other than the doorbell (and, with INTx, the
    ISR)."""
    o, t = k.total("ours", phase), k.total("intree", phase)
    if o is None or t is None:
        return
    on, tn = k.count("ours", phase, "notify_w"), k.count("intree", phase, "notify_w")
    oi, ti = k.count("ours", phase, "isr_r"), k.count("intree", phase, "isr_r")
    ogi = num(k.guest_irqs.get(("ours", phase)))
    tgi = num(k.guest_irqs.get(("intree", phase)))
    out.append(f"- {label}: {on / n:.2f} notify writes and {o - on - oi} other accesses per request, "
               f"ISR reads {oi} for {ogi} guest interrupts (in-tree: {tn / n:.2f}, {t - tn - ti}, {ti} for {tgi})")


def ms3(m, lo, hi):
    """"median (min-max)" of a probe time, or "n/a" without a timing run."""
    return "n/a" if m is None else f"{m:.1f} ({lo:.1f}-{hi:.1f})"


def md_scaling_table(k, out):
    out.append("| functions | accesses ours | in-tree | ratio | per function ours / in-tree | probe ms ours: median (min-max) | in-tree | time ratio (round range) |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in k.sizes:
        ao, at = k.total("ours", f"probe-scale-{n}"), k.total("intree", f"probe-scale-{n}")
        so, st = stats(k.probe.get(("ours", n), [])), stats(k.probe.get(("intree", n), []))
        rmin, rmax = k.round_ratios("probe", n)
        per_o = "" if ao is None else num(ao / n)
        per_t = "" if at is None else num(at / n)
        out.append(f"| {n} | {num(ao)} | {num(at)} | {ratio(ao, at) or ''} | {per_o} / {per_t} | "
                   f"{ms3(*so)} | {ms3(*st)} | **{ratio(so[0], st[0]) or ''}** ({rmin or ''}-{rmax or ''}) |")


def md_fit(k, driver, name):
    a, b, r2 = k.fit(driver)
    if b is None:
        return ""
    return f"{name} t = {a:.1f} ms + {b:.2f} ms x N (R^2 = {r2 or 0:.3f})"


def md_tput_row(k, kind, label, out):
    so = stats(k.tput.get((kind, "ours"), []))
    st = stats(k.tput.get((kind, "intree"), []))
    if so[0] is None or st[0] is None:
        return
    rmin, rmax = k.round_ratios(kind)
    rounds = len(k.tput.get((kind, "intree"), []))
    o = f"{int(so[0])} ({int(so[1])}-{int(so[2])})"
    t = f"{int(st[0])} ({int(st[1])}-{int(st[2])})"
    out.append(f"| {label} | {o} | {t} | **{ratio(so[0], st[0]) or ''}** | {rmin or ''}-{rmax or ''} | {rounds} |")


def md_register_table(k, out):
    """The virtio-blk probe register by register: where the drivers differ."""
    out.append("| register (probe: virtio-blk) | ours | in-tree | difference |")
    out.append("| --- | --- | --- | --- |")
    for row in sorted(k.rows):
        o, t = k.regs.get(("ours", row), 0), k.regs.get(("intree", row), 0)
        label = row.split("\t", 1)[1]
        out.append(f"| {label} | {o} | {t} | {'' if o == t else f'{o - t:+d}'} |")


ATTR_PHASES = (("probe-blk", "virtio-blk"), ("probe-net", "virtio-net"),
               ("probe-mqnet", "virtio-net, 4 queue pairs"),
               ("probe-blk-intx", "virtio-blk, INTx"))


def md_attr_source_table(k, out):
    """Accesses of each probe by the layer that made them."""
    phases = [(p, lbl) for p, lbl in ATTR_PHASES if k.total("ours", p) is not None]
    heads = " | ".join(f"{lbl}" for _, lbl in phases)
    out.append(f"| made by (on behalf of) | {heads} |")
    out.append("| --- |" + " --- |" * len(phases))
    keys = set()
    for p, _ in phases:
        for drv in DRIVERS:
            for (src, behalf, _, _) in attr_rows(k, drv, p):
                keys.add((src, behalf))
    order = {name: i for i, name in enumerate(LAYERS + ("unattributed",))}
    for src, behalf in sorted(keys, key=lambda x: (order.get(x[0], 99), x[1])):
        cells = []
        for p, _ in phases:
            v = {}
            for drv in DRIVERS:
                v[drv] = sum(n for (s2, b2, _, _), n in attr_rows(k, drv, p).items()
                             if s2 == src and b2 == behalf)
            cells.append(f"{v['ours']} / {v['intree']}")
        label = src + (f" ({behalf})" if behalf else "")
        out.append(f"| {label} | {' | '.join(cells)} |")
    cells = [f"**{k.total('ours', p)} / {k.total('intree', p)}**" for p, _ in phases]
    out.append(f"| total (QEMU's count) | {' | '.join(cells)} |")


def md_attr_site_table(k, phase, out):
    """One probe register by register and call site, ours beside in-tree."""
    rows = {}
    for drv in DRIVERS:
        for (src, behalf, reg, site), n in attr_rows(k, drv, phase).items():
            r = rows.setdefault((reg, src, behalf, site), {"ours": 0, "intree": 0})
            r[drv] += n
    out.append("| register | made by (on behalf of) | call site | ours | in-tree |")
    out.append("| --- | --- | --- | --- | --- |")
    for (reg, src, behalf, site), v in sorted(rows.items()):
        label = src + (f" ({behalf})" if behalf else "")
        out.append(f"| {reg.split(chr(9), 1)[1]} | {label} | `{site}` | {v['ours']} | {v['intree']} |")


def md_attr(k, out):
    if not k.attr:
        return
    absent = sorted(f for f, (state, _) in k.probes.items() if state != "present")
    missed = sorted(f"{f} ({m})" for f, (state, m) in k.probes.items() if m)
    out += ["### Probe accesses by the code that made them (ours / in-tree)", "",
            "Each access QEMU trapped, given to the innermost probed function open on its vCPU "
            "(`bench/attr/vpl_attr.c`) and its call chain: *made by* is the layer of the code that "
            "made it (accessors and the PCI core's pass-on functions looked past), *on behalf of* "
            "the next virtio layer up the chain.", ""]
    md_attr_source_table(k, out)
    moved, unmatched, garbled = k.markers or (0, 0, 0)
    out += ["", f"Functions probed but absent in this kernel: {', '.join(absent) or 'none'}; "
            f"calls the probes missed: {', '.join(missed) or 'none'}; calls that returned on "
            f"the other vCPU: {moved}; returns without their call: {unmatched}; garbled "
            f"marker lines: {garbled}.", ""]
    for phase, label in ATTR_PHASES:
        if k.total("ours", phase) is None:
            continue
        out += [f"<details><summary>Probe of {label}: register by register and call site</summary>", ""]
        md_attr_site_table(k, phase, out)
        out += ["", "</details>", ""]


def md_kernel(k, out):
    out += ["", f"## Linux {k.series} (`{k.release}`, QEMU {k.qemu or 'n/a'})", ""]
    ob, tb = k.total("ours", "probe-blk"), k.total("intree", "probe-blk")
    if ob is not None:
        oc = (k.count("ours", "probe-blk", "cfg_r") or 0) + (k.count("ours", "probe-blk", "cfg_w") or 0)
        tc = (k.count("intree", "probe-blk", "cfg_r") or 0) + (k.count("intree", "probe-blk", "cfg_w") or 0)
        out += [f"Probe-access ratio, one virtio-blk function: **{ratio(ob, tb) or ''}** ({ob} / {tb or 0} accesses); "
                f"configuration space alone: {ratio(oc, tc) or ''} ({oc} / {tc}).", ""]
    if k.phases:
        out += ["### Register accesses per phase (exact counts, ours / in-tree)", ""]
        md_access_table(k, out)
        out += ["", "I/O path:", ""]
        md_floor_line(k, "read", "MSI-X, 4 KiB read", 256, out)
        md_floor_line(k, "write", "MSI-X, 4 KiB write", 256, out)
        md_floor_line(k, "read-intx", "INTx, 4 KiB read", 256, out)
        md_floor_line(k, "write-intx", "INTx, 4 KiB write", 256, out)
        out.append("")
    md_attr(k, out)
    if k.rows:
        out += ["### Probe of one virtio-blk function, register by register", ""]
        md_register_table(k, out)
        out.append("")
    if k.sizes:
        out += ["### Probe of N virtio-blk functions (bind to all disks present)", ""]
        md_scaling_table(k, out)
        out += ["", f"Linear fit of the medians: {md_fit(k, 'ours', 'ours')}; {md_fit(k, 'intree', 'in-tree')}.", ""]
    if ("iops", "ours") in k.tput or ("pps", "ours") in k.tput:
        out += ["### Throughput (median (min-max) of alternating rounds)", "",
                "| workload | ours | in-tree | ratio | round ratios | rounds |",
                "| --- | --- | --- | --- | --- | --- |"]
        md_tput_row(k, "iops", "virtio-blk 4 KiB random read, IOPS (fio, libaio, qd 32, null-co)", out)
        md_tput_row(k, "pps", "virtio-net frames/s, NIC A to NIC B (pktgen, 60 bytes)", out)
        out.append("")


def markdown(ctx, kernels):
    wall_min = (int(ctx["wall"]) + 30) // 60
    out = ["# virtio-pci-layout benchmark", "",
           f"Machine's QEMU {ctx['qemu']} (each kernel's own below), accel {ctx['accel']} (single-threaded TCG), q35, 2 vCPUs, 1 GiB; "
           "modern-only devices with `ioeventfd=off`; both drivers bound in turn in the same boot.",
           f"Run {ctx['date']}, {ctx['mode']} mode, {wall_min} min wall time; host: {ctx['host']}."]
    for k in kernels:
        md_kernel(k, out)
    out += [
        "Notes:", "",
        "- Access counts come from QEMU's trace (`pci_cfg_read/write`, `memory_region_ops_read/write` by region, `virtio_pci_notify_write`, `virtio_notify`) between phase markers the guest writes to `isa-debugcon`; they are exact and do not depend on the host. A probe includes what the PCI core (enable, MSI-X table), the virtio core (status, features) and the class driver (device configuration, virtio-blk's partition scan: 3 reads) do for the transport.",
        "- The net phases' notify and interrupt counts depend on timing: QEMU suppresses notifications while it drains a queue (event index), so they vary from run to run and between drivers; the block phases are exact.",
        "- \"interrupts\" counts the device's `virtio_notify` events; with INTx several can fold into one level-triggered interrupt, so the ISR reads match the guest's interrupt count (given with the I/O path lines), not the events.",
        "- Timings are TCG on a shared 2-core host: noisy. Compare the ratios and the round ranges, not absolute values.",
    ]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- JSON

def fnum(s):
    """A "%.2f" string (or None) as a JSON number."""
    return None if s is None else float(s)


def json_kernel(k):
    summary = {}
    for what in ("blk", "net", "mqnet"):
        summary[f"probe_access_ratio_{what}"] = fnum(ratio(k.total("ours", f"probe-{what}"),
                                                           k.total("intree", f"probe-{what}")))
    summary["probe_time_ratio"] = {}
    for n in k.sizes:
        mo = stats(k.probe.get(("ours", n), []))[0]
        mt = stats(k.probe.get(("intree", n), []))[0]
        rmin, rmax = k.round_ratios("probe", n)
        summary["probe_time_ratio"][str(n)] = {
            "ratio": fnum(ratio(mo, mt)), "round_min": fnum(rmin), "round_max": fnum(rmax),
            "ours_ms": mo, "intree_ms": mt}
    for kind in ("iops", "pps"):
        mo = stats(k.tput.get((kind, "ours"), []))[0]
        mt = stats(k.tput.get((kind, "intree"), []))[0]
        rmin, rmax = k.round_ratios(kind)
        summary[f"{kind}_ratio"] = {"ratio": fnum(ratio(mo, mt)), "round_min": fnum(rmin),
                                    "round_max": fnum(rmax), "ours": mo, "intree": mt}
    res = {"series": k.series, "release": k.release, "qemu": k.qemu, "summary": summary}
    if k.attr:
        res["attribution"] = {
            drv: {p: attr_by_source(k, drv, p) for p, _ in ATTR_PHASES
                  if k.total(drv, p) is not None}
            for drv in DRIVERS}
    for drv in DRIVERS:
        acc = {}
        for phase in k.phases:
            if (drv, phase) not in k.acc:
                continue
            c = {key: k.count(drv, phase, key) for key in KEYS}
            c.update(kick=k.count(drv, phase, "kick"), irq=k.count(drv, phase, "irq"),
                     total=k.total(drv, phase))
            if (drv, phase) in k.guest_irqs:
                c["guest_irqs"] = k.guest_irqs[(drv, phase)]
            acc[phase] = c
        res[drv] = {
            "accesses": acc,
            "probe_ms": {str(n): [round(v, 3) for v in k.probe.get((drv, n), [])] for n in k.sizes},
            "iops": k.tput.get(("iops", drv), []),
            "pps": k.tput.get(("pps", drv), []),
        }
    return res


def to_json(ctx, kernels):
    doc = {"qemu": ctx["qemu"], "accel": ctx["accel"], "date": ctx["date"], "mode": ctx["mode"],
           "wall_seconds": int(ctx["wall"]), "host": ctx["host"],
           "kernels": [json_kernel(k) for k in kernels]}
    return json.dumps(doc, indent=2) + "\n"


# ---------------------------------------------------------------- chart data

def chart_data(k):
    """gnuplot columns per N; NaN keeps a missing value's column in place."""
    def nan(v):
        return "NaN" if v is None else num(v)
    out = ["# N accesses_ours accesses_intree ms_ours_median ms_ours_min ms_ours_max ms_intree_median ms_intree_min ms_intree_max"]
    for n in k.sizes:
        row = [str(n), nan(k.total("ours", f"probe-scale-{n}")), nan(k.total("intree", f"probe-scale-{n}"))]
        for drv in DRIVERS:
            row += [nan(v) for v in stats(k.probe.get((drv, n), []))]
        out.append(" ".join(row))
    return "\n".join(out) + "\n"


# The chart's stacks: the transport's accesses split by whose request they
# serve, then the other layers.
CHART_COLS = (("transport", ""), ("transport", "virtio core"), ("transport", "class driver"),
              ("virtio core", None), ("class driver", None), ("PCI core", None),
              ("MSI/IRQ core", None), ("other", None), ("unattributed", None))


def chart_col(src, behalf):
    """The CHART_COLS index of an access made by SRC on behalf of BEHALF."""
    for i, (s, b) in enumerate(CHART_COLS):
        if s == src and (b is None or b == behalf):
            return i
    return CHART_COLS.index(("other", None))


def attr_chart_data(k):
    """gnuplot rows per probe and driver, one column per CHART_COLS."""
    names = [s if b is None else (f"{s}, own" if not b else f"{s}, for the {b}")
             for s, b in CHART_COLS]
    # The first line names the columns (gnuplot's columnhead).
    out = ["probe " + " ".join(f'"{c}"' for c in names)]
    if not k.attr:
        return out[0] + "\n"   # no attribution in this run: no panel
    for phase, label in ATTR_PHASES:
        for drv in DRIVERS:
            if k.total(drv, phase) is None:
                continue
            v = [0] * len(CHART_COLS)
            for (src, behalf, _, _), n in attr_rows(k, drv, phase).items():
                v[chart_col(src, behalf)] += n
            name = phase[len("probe-"):] + ("" if drv == "ours" else "(in-tree)")
            out.append(f'"{name}" ' + " ".join(str(x) for x in v))
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    ctx, kernels = read_facts(sys.argv[1])
    out = sys.argv[2]
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(markdown(ctx, kernels))
    with open(os.path.join(out, "results.json"), "w") as f:
        f.write(to_json(ctx, kernels))
    for k in kernels:
        with open(os.path.join(out, f"probe-{k.series}.dat"), "w") as f:
            f.write(chart_data(k))
        with open(os.path.join(out, f"attr-{k.series}.dat"), "w") as f:
            f.write(attr_chart_data(k))
    return 0


if __name__ == "__main__":
    sys.exit(main())
