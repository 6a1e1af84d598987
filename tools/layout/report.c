// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci-layout (the tool): printing what was found, as a table for
 * people or as JSON for scripts.
 *
 * The capability listing is a plain decode of the bytes, bounded like the
 * parser's walk; every verdict (located regions, rejected capabilities,
 * validity) comes from the driver's parser and is only rendered here.
 */
#include <stdio.h>
#include <string.h>

#include "layout.h"

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_CAP_ID_MSIX		0x11
#define PCI_MSIX_FLAGS		2
#define PCI_MSIX_QSIZE		0x07ff
/* As in the parser: 48 capabilities fit in the 192 bytes after the header. */
#define MAX_CAPS		48

/* The virtio device ID, as the driver derives it (-1: not virtio). */
int vpl_tool_virtio_id(const struct vpl_tool_dev *d)
{
	int id;

	if (vpl_cfg16(d, PCI_VENDOR_ID) != VPL_PCI_VENDOR_VIRTIO)
		return -1;
	id = vpl_virtio_id(vpl_cfg16(d, PCI_DEVICE_ID),
			   vpl_cfg16(d, PCI_SUBSYSTEM_ID));
	return id < 0 ? -1 : id;
}

/* virtio 1.2 §5: the device types a hypervisor developer meets most. */
const char *vpl_virtio_name(int id)
{
	static const char * const names[] = {
		[1] = "network", [2] = "block", [3] = "console",
		[4] = "entropy", [5] = "balloon", [8] = "scsi",
		[9] = "9p", [16] = "gpu", [18] = "input", [19] = "vsock",
		[20] = "crypto", [23] = "iommu", [24] = "memory",
		[25] = "sound", [26] = "fs", [27] = "pmem",
	};

	if (id < 0 || id >= (int)ARRAY_SIZE(names) || !names[id])
		return "unknown";
	return names[id];
}

const char *vpl_state_name(unsigned int state)
{
	static const char * const names[] = {	/* enum vpl_tool_state */
		"valid", "usable", "absent", "invalid", "skipped",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

const char *vpl_dialect_key(unsigned int dialect)
{
	return vpl_dialect_name(dialect == VPL_TOOL_DRAFT ? VPL_DIALECT_DRAFT :
							     VPL_DIALECT_VIRTIO1);
}

static const char *dialect_title(unsigned int dialect)
{
	return dialect == VPL_TOOL_DRAFT ? "draft" : "virtio 1.x";
}

static const char *bar_type_name(const struct vpl_tool_bar *b)
{
	if (b->type == VPL_BAR_IO)
		return "io";
	if (b->type == VPL_BAR_MEM)
		return b->is64 ? "mem64" : "mem32";
	return "none";
}

static const char *pci_cap_name(u8 id)
{
	switch (id) {
	case 0x01:
		return "power management";
	case 0x05:
		return "MSI";
	case 0x09:
		return "vendor-specific";
	case 0x10:
		return "PCI Express";
	case 0x11:
		return "MSI-X";
	default:
		return "other";
	}
}

static const char *draft_cap_name(u8 id)
{
	switch (id) {
	case VPL_DRAFT_LAYOUT:
		return "VIRTIO_PCI_C_LAYOUT";
	case VPL_DRAFT_NOTIFY:
		return "VIRTIO_PCI_C_NOTIFY";
	case VPL_DRAFT_ISR:
		return "VIRTIO_PCI_C_ISR";
	default:
		return "reserved";
	}
}

/*
 * Walks the PCI capability list for display and calls @fn for each entry.
 * Bounded and loop-safe like the parser: a pointer below 0x40 ends it, and
 * no dword is visited twice.
 */
static void walk_caps(const struct vpl_tool_dev *d,
		      void (*fn)(const struct vpl_tool_dev *d, u8 pos,
				 void *ctx),
		      void *ctx)
{
	u64 seen = 0;
	unsigned int n = 0;
	u8 pos;

	if (!(vpl_cfg16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	pos = d->cfg[PCI_CAPABILITY_LIST] & ~3u;
	while (pos >= 0x40 && n++ < MAX_CAPS) {
		if (seen & (1ULL << (pos / 4)))
			break;
		seen |= 1ULL << (pos / 4);
		fn(d, pos, ctx);
		pos = d->cfg[pos + 1] & ~3u;
	}
}

/*
 * A virtio 1.x vendor data capability, by its cfg_type (a draft capability's
 * byte 3 is a capability pointer, never 9) and a length that holds its
 * vendor ID; the parser judges the rest.
 */
static bool vendor_data(const struct vpl_tool_dev *d, u8 pos)
{
	return d->cfg[pos] == VPL_CAP_ID_VNDR &&
	       d->cfg[pos + VPL_V1_CAP_CFG_TYPE] == VPL_V1_VENDOR_CFG &&
	       d->cfg[pos + VPL_V1_CAP_LEN] >= VPL_V1_VENDOR_ID + 2 &&
	       pos + VPL_V1_VENDOR_ID + 2 <= VPL_CFG_SPACE_SIZE;
}

/* ------------------------------------------------------------------------
 * Human-readable table
 */

static void text_cap(const struct vpl_tool_dev *d, u8 pos, void *ctx)
{
	u8 id = d->cfg[pos], b2 = d->cfg[pos + 2], b3 = d->cfg[pos + 3];

	(void)ctx;	/* the table needs no state between capabilities */
	printf("    %#04x  %-16s", pos, pci_cap_name(id));
	if (id == PCI_CAP_ID_MSIX) {
		printf(" table size %u",
		       (vpl_cfg16(d, pos + PCI_MSIX_FLAGS) & PCI_MSIX_QSIZE) + 1u);
	} else if (vendor_data(d, pos)) {
		printf(" virtio 1.x %s vendor_id 0x%04x (cap_len %u)",
		       vpl_cfg_type_name(b3),
		       vpl_cfg16(d, pos + VPL_V1_VENDOR_ID), b2);
	} else if (id == VPL_CAP_ID_VNDR && b2 >= VPL_V1_CAP_SIZE) {
		printf(" virtio 1.x %-8s", vpl_cfg_type_name(b3));
		if (b3 != VPL_V1_PCI_CFG)
			printf(" BAR%u +0x%x len 0x%x", d->cfg[pos + VPL_V1_CAP_BAR],
			       vpl_cfg32(d, pos + VPL_V1_CAP_OFFSET),
			       vpl_cfg32(d, pos + VPL_V1_CAP_LENGTH));
		if (b3 == VPL_V1_NOTIFY_CFG && b2 >= VPL_V1_NOTIFY_CAP_SIZE)
			printf(" multiplier %u",
			       vpl_cfg32(d, pos + VPL_V1_CAP_NOTIFY_MULT));
		if (b3 == VPL_V1_SHM_CFG)
			printf(" id %u", d->cfg[pos + VPL_V1_CAP_ID]);
		printf(" (cap_len %u)", b2);
	} else if (id == VPL_CAP_ID_VNDR && b2 >= 1 && b2 <= VPL_DRAFT_MAX_ID) {
		u32 loc = vpl_cfg32(d, pos + VPL_DRAFT_LOC1);

		printf(" draft %s", draft_cap_name(b2));
		if (b2 <= VPL_DRAFT_ISR)
			printf(" BAR%u +0x%x", loc & VPL_DRAFT_BIR_MASK,
			       loc & ~VPL_DRAFT_BIR_MASK);
		if (b2 == VPL_DRAFT_LAYOUT) {
			loc = vpl_cfg32(d, pos + VPL_DRAFT_LOC2);
			printf(", device BAR%u +0x%x", loc & VPL_DRAFT_BIR_MASK,
			       loc & ~VPL_DRAFT_BIR_MASK);
		} else if (b2 == VPL_DRAFT_NOTIFY) {
			printf(" multiplier %u",
			       vpl_cfg32(d, pos + VPL_DRAFT_LOC2));
		}
		printf(" (virtio_next 0x%x)", b3);
	}
	printf("\n");
}

/* Where the MSI-X table and PBA are, which no structure may overlap. */
static void text_msix(const struct vpl_msix *m)
{
	const struct vpl_msix_range *r[2] = { &m->table, &m->pba };
	unsigned int i;

	if (!m->cap)
		return;
	printf("    MSI-X %u entries:", m->entries);
	for (i = 0; i < 2; i++)
		printf("%s %s BAR%u+0x%x/0x%x%s", i ? "," : "",
		       i ? "PBA" : "table", r[i]->bar, r[i]->offset,
		       r[i]->length, r[i]->checked ? "" : " (not checked)");
	printf("\n");
}

static void text_dialect(const struct vpl_tool_dev *d, unsigned int i)
{
	const struct vpl_layout *l = &d->layout[i];
	char line[256];
	unsigned int n;

	printf("  %s layout: %s\n", dialect_title(i),
	       vpl_state_name(d->state[i]));
	if (d->state[i] == VPL_STATE_SKIPPED || d->state[i] == VPL_STATE_ABSENT)
		return;
	if (d->result[i] == 0) {
		char off[24], len[24];
		unsigned int r;

		printf("    %-8s %-4s %-12s %-12s %s\n", "region", "BAR",
		       "offset", "length", "capability");
		for (r = 0; r < VPL_NR_REGIONS; r++) {
			const struct vpl_region *g = &l->region[r];

			if (!g->present) {
				printf("    %-8s -\n", vpl_region_name(r));
				continue;
			}
			snprintf(off, sizeof(off), "0x%x", g->offset);
			snprintf(len, sizeof(len), "0x%x", g->length);
			printf("    %-8s %-4u %-12s %-12s 0x%x\n",
			       vpl_region_name(r), g->bar, off, len, g->cap);
		}
		for (n = 0; n < l->n_shm; n++) {
			snprintf(off, sizeof(off), "0x%llx",
				 (unsigned long long)l->shm[n].offset);
			snprintf(len, sizeof(len), "0x%llx",
				 (unsigned long long)l->shm[n].length);
			printf("    shm%-5u %-4u %-12s %-12s 0x%x\n",
			       l->shm[n].id, l->shm[n].bar, off, len,
			       l->shm[n].cap);
		}
		for (n = 0; n < l->n_vendor; n++)
			printf("    vendor data at 0x%x: vendor_id 0x%04x, %u bytes\n",
			       l->vendor[n].cap, l->vendor[n].vendor_id,
			       l->vendor[n].len);
		printf("    notify_off_multiplier %u%s\n", l->notify_mult,
		       l->has_pci_cfg ? ", PCI configuration access window" : "");
		text_msix(&l->msix);
	}
	for (n = 0; n < l->n_notes; n++) {
		vpl_format_note(line, sizeof(line), &l->notes[n]);
		printf("    problem: %s\n", line);
	}
	if (l->n_lost_notes)
		printf("    problem: %u more not recorded\n", l->n_lost_notes);
}

void vpl_report_text(const struct vpl_tool_dev *d)
{
	int id = vpl_tool_virtio_id(d);
	u16 device = vpl_cfg16(d, PCI_DEVICE_ID);
	unsigned int i;

	printf("%s: ", d->source);
	if (id < 0)
		printf("not a virtio PCI function");
	else
		printf("virtio %s device (ID %d, %s)", vpl_virtio_name(id), id,
		       device < 0x1040 ? "transitional" : "modern");
	printf(", PCI %04x:%04x subsystem %04x:%04x\n",
	       vpl_cfg16(d, PCI_VENDOR_ID), device,
	       vpl_cfg16(d, PCI_SUBSYSTEM_VENDOR_ID),
	       vpl_cfg16(d, PCI_SUBSYSTEM_ID));

	printf("  BARs:\n");
	for (i = 0; i < VPL_NUM_BARS; i++) {
		const struct vpl_tool_bar *b = &d->bars[i];

		if (b->type == VPL_BAR_NONE)
			continue;
		printf("    BAR%u  %-5s  address 0x%-16llx size ", i,
		       bar_type_name(b), (unsigned long long)b->addr);
		if (b->sized)
			printf("0x%llx\n", (unsigned long long)b->len);
		else
			printf("unknown (give --bar %u=SIZE)\n", i);
	}
	printf("  capabilities:\n");
	walk_caps(d, text_cap, NULL);

	for (i = 0; i < VPL_TOOL_NR_DIALECTS; i++)
		text_dialect(d, i);

	for (i = 0; i < d->n_lint; i++)
		printf("  %s: %s: %s\n", d->lint[i].advice ? "note" : "warning",
		       d->lint[i].key, d->lint[i].text);
	if (d->n_lost_lint)
		printf("  warning: %u more not recorded\n", d->n_lost_lint);
	if (d->hint)
		printf("  verdict: unknown: %s\n", d->hint);
	else if (d->valid)
		printf("  verdict: valid; virtio-pci-layout uses the %s layout\n",
		       dialect_title(d->chosen));
	else if (d->chosen >= 0)
		printf("  verdict: invalid; virtio-pci-layout would use the %s layout despite the problems above\n",
		       dialect_title(d->chosen));
	else
		printf("  verdict: invalid; virtio-pci-layout would not bind this function\n");
}

/* ------------------------------------------------------------------------
 * JSON
 */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* 64-bit values go out as hex strings: JSON numbers are doubles. */
static void json_hex(const char *key, unsigned long long v, const char *sep)
{
	printf("\"%s\": \"0x%llx\"%s", key, v, sep);
}

struct json_walk {
	bool first;
};

static void json_cap(const struct vpl_tool_dev *d, u8 pos, void *ctx)
{
	struct json_walk *w = ctx;
	u8 id = d->cfg[pos], b2 = d->cfg[pos + 2], b3 = d->cfg[pos + 3];

	printf("%s\n    { ", w->first ? "" : ",");
	w->first = false;
	json_hex("offset", pos, ", ");
	json_hex("id", id, ", ");
	printf("\"name\": ");
	json_string(pci_cap_name(id));
	printf(", ");
	json_hex("next", d->cfg[pos + 1], "");
	if (vendor_data(d, pos)) {
		printf(", \"virtio1\": { \"cfg_type\": %u, \"type\": \"%s\", \"cap_len\": %u, ",
		       b3, vpl_cfg_type_name(b3), b2);
		json_hex("vendor_id", vpl_cfg16(d, pos + VPL_V1_VENDOR_ID), " }");
	} else if (id == VPL_CAP_ID_VNDR && b2 >= VPL_V1_CAP_SIZE) {
		printf(", \"virtio1\": { \"cfg_type\": %u, \"type\": \"%s\", \"cap_len\": %u, \"bar\": %u, ",
		       b3, vpl_cfg_type_name(b3), b2,
		       d->cfg[pos + VPL_V1_CAP_BAR]);
		json_hex("offset", vpl_cfg32(d, pos + VPL_V1_CAP_OFFSET), ", ");
		json_hex("length", vpl_cfg32(d, pos + VPL_V1_CAP_LENGTH), "");
		if (b3 == VPL_V1_NOTIFY_CFG && b2 >= VPL_V1_NOTIFY_CAP_SIZE)
			printf(", \"notify_off_multiplier\": %u",
			       vpl_cfg32(d, pos + VPL_V1_CAP_NOTIFY_MULT));
		printf(" }");
	} else if (id == VPL_CAP_ID_VNDR && b2 >= 1 && b2 <= VPL_DRAFT_MAX_ID) {
		printf(", \"draft\": { \"virtio_cap_id\": %u, \"name\": \"%s\", ",
		       b2, draft_cap_name(b2));
		json_hex("virtio_next", b3, ", ");
		json_hex("dword1", vpl_cfg32(d, pos + VPL_DRAFT_LOC1), ", ");
		json_hex("dword2", vpl_cfg32(d, pos + VPL_DRAFT_LOC2), " }");
	}
	printf(" }");
}

static void json_dialect(const struct vpl_tool_dev *d, unsigned int i,
			 const char *sep)
{
	const struct vpl_layout *l = &d->layout[i];
	bool resolved = d->state[i] == VPL_STATE_VALID ||
			d->state[i] == VPL_STATE_USABLE;
	unsigned int r, n;
	char line[256];

	printf("    \"%s\": {\n      \"state\": \"%s\",\n", vpl_dialect_key(i),
	       vpl_state_name(d->state[i]));
	printf("      \"regions\": {");
	for (r = 0; resolved && r < VPL_NR_REGIONS; r++) {
		const struct vpl_region *g = &l->region[r];

		printf("%s\n        \"%s\": ", r ? "," : "", vpl_region_name(r));
		if (!g->present) {
			printf("null");
			continue;
		}
		printf("{ \"bar\": %u, ", g->bar);
		json_hex("offset", g->offset, ", ");
		json_hex("length", g->length, ", ");
		json_hex("capability", g->cap, " }");
	}
	printf("%s},\n", resolved ? "\n      " : " ");
	printf("      \"notify_off_multiplier\": %u,\n", resolved ? l->notify_mult : 0);
	printf("      \"pci_cfg\": %s,\n",
	       resolved && l->has_pci_cfg ? "true" : "false");
	printf("      \"shm\": [");
	for (n = 0; resolved && n < l->n_shm; n++) {
		printf("%s { \"id\": %u, \"bar\": %u, ", n ? "," : "",
		       l->shm[n].id, l->shm[n].bar);
		json_hex("offset", l->shm[n].offset, ", ");
		json_hex("length", l->shm[n].length, ", ");
		json_hex("capability", l->shm[n].cap, " }");
	}
	printf(" ],\n      \"vendor_data\": [");
	for (n = 0; resolved && n < l->n_vendor; n++) {
		printf("%s { ", n ? "," : "");
		json_hex("capability", l->vendor[n].cap, ", ");
		json_hex("vendor_id", l->vendor[n].vendor_id, ", ");
		printf("\"length\": %u }", l->vendor[n].len);
	}
	printf(" ],\n      \"msix\": ");
	if (resolved && l->msix.cap) {
		printf("{ \"entries\": %u, ", l->msix.entries);
		json_hex("capability", l->msix.cap, ", ");
		printf("\"table\": { \"bar\": %u, ", l->msix.table.bar);
		json_hex("offset", l->msix.table.offset, ", ");
		json_hex("length", l->msix.table.length, ", ");
		printf("\"checked\": %s }, ",
		       l->msix.table.checked ? "true" : "false");
		printf("\"pba\": { \"bar\": %u, ", l->msix.pba.bar);
		json_hex("offset", l->msix.pba.offset, ", ");
		json_hex("length", l->msix.pba.length, ", ");
		printf("\"checked\": %s } }",
		       l->msix.pba.checked ? "true" : "false");
	} else {
		printf("null");
	}
	printf(",\n      \"problems\": [");
	for (n = 0; d->state[i] != VPL_STATE_SKIPPED && n < l->n_notes; n++) {
		const struct vpl_note *note = &l->notes[n];

		printf("%s\n        { ", n ? "," : "");
		json_hex("capability", note->cap, ", ");
		printf("\"type\": \"%s\", \"problem\": \"%s\", \"field\": ",
		       vpl_cfg_type_name(note->cfg_type),
		       vpl_problem_key(note->problem));
		json_string(note->field ? note->field : "");
		printf(", ");
		json_hex("value", note->value, ", ");
		json_hex("limit", note->limit, ", ");
		printf("\"info\": %s, ", note->info ? "true" : "false");
		vpl_format_note(line, sizeof(line), note);
		printf("\"text\": ");
		json_string(line);
		printf(" }");
	}
	printf("%s],\n      \"problems_lost\": %u\n    }%s\n",
	       d->state[i] != VPL_STATE_SKIPPED && l->n_notes ? "\n      " : " ",
	       d->state[i] != VPL_STATE_SKIPPED ? l->n_lost_notes : 0, sep);
}

void vpl_report_json(const struct vpl_tool_dev *d, bool first)
{
	struct json_walk w = { .first = true };
	int id = vpl_tool_virtio_id(d);
	unsigned int i;

	printf("%s{\n  \"source\": ", first ? "" : ",\n");
	json_string(d->source);
	printf(",\n  ");
	json_hex("vendor_id", vpl_cfg16(d, PCI_VENDOR_ID), ", ");
	json_hex("device_id", vpl_cfg16(d, PCI_DEVICE_ID), ",\n  ");
	json_hex("subsystem_vendor_id", vpl_cfg16(d, PCI_SUBSYSTEM_VENDOR_ID),
		 ", ");
	json_hex("subsystem_id", vpl_cfg16(d, PCI_SUBSYSTEM_ID), ",\n  ");
	printf("\"virtio_device_id\": %d, \"virtio_device\": ", id);
	json_string(id < 0 ? "none" : vpl_virtio_name(id));
	printf(", \"transitional\": %s,\n  \"bars\": [",
	       vpl_cfg16(d, PCI_DEVICE_ID) < 0x1040 ? "true" : "false");
	for (i = 0; i < VPL_NUM_BARS; i++) {
		const struct vpl_tool_bar *b = &d->bars[i];

		printf("%s\n    { \"index\": %u, \"type\": \"%s\", ", i ? "," : "",
		       i, bar_type_name(b));
		json_hex("address", b->addr, ", ");
		if (b->sized)
			json_hex("size", b->len, " }");
		else
			printf("\"size\": null }");
	}
	printf("\n  ],\n  \"capabilities\": [");
	walk_caps(d, json_cap, &w);
	printf("%s],\n  \"dialects\": {\n", w.first ? " " : "\n  ");
	for (i = 0; i < VPL_TOOL_NR_DIALECTS; i++)
		json_dialect(d, i, i + 1 < VPL_TOOL_NR_DIALECTS ? "," : "");
	printf("  },\n  \"selected\": ");
	if (d->chosen >= 0)
		json_string(vpl_dialect_key(d->chosen));
	else
		printf("null");
	printf(",\n  \"valid\": %s,\n  \"hint\": ", d->valid ? "true" : "false");
	if (d->hint)
		json_string(d->hint);
	else
		printf("null");
	printf(",\n  \"warnings\": [");
	for (i = 0; i < d->n_lint; i++) {
		printf("%s\n    { \"key\": ", i ? "," : "");
		json_string(d->lint[i].key);
		printf(", \"advice\": %s, \"text\": ",
		       d->lint[i].advice ? "true" : "false");
		json_string(d->lint[i].text);
		printf(" }");
	}
	printf("%s],\n  \"warnings_lost\": %u\n}", d->n_lint ? "\n  " : "",
	       d->n_lost_lint);
}
