// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci-layout (the tool): reading a function's configuration space
 * and BARs from sysfs, from a raw dump or from an lspci -xxx hex dump.
 *
 * Nothing here judges the layout; that is the driver's parser's job.  This
 * file only gets the bytes and the BAR sizes the parser needs, the same way
 * the driver gets them from the PCI core: BAR types and sizes from sysfs's
 * "resource" file (what pci_resource_len() and pci_resource_flags() return)
 * or, for a dump, from the header's BAR registers plus --bar sizes.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"

#define PCI_HEADER_TYPE		0x0e
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_BAR_IO		0x1
#define PCI_BAR_MEM_TYPE_64	0x4
#define PCI_BAR_MEM_TYPE_MASK	0x6

/* include/linux/ioport.h: the flags sysfs's resource file shows. */
#define IORESOURCE_IO		0x00000100
#define IORESOURCE_MEM		0x00000200
#define IORESOURCE_MEM_64	0x00100000

/* The largest hex dump accepted: lspci -xxxx of 4 KiB is about 14 KiB. */
#define TEXT_MAX		((size_t)64 * 1024)

u16 vpl_cfg16(const struct vpl_tool_dev *d, unsigned int off)
{
	if (off + 2 > d->cfg_len)
		return 0;
	return d->cfg[off] | d->cfg[off + 1] << 8;
}

u32 vpl_cfg32(const struct vpl_tool_dev *d, unsigned int off)
{
	if (off + 4 > d->cfg_len)
		return 0;
	return d->cfg[off] | d->cfg[off + 1] << 8 | d->cfg[off + 2] << 16 |
	       (u32)d->cfg[off + 3] << 24;
}

/* Reads at most @cap bytes of @path; -EFBIG if there is more. */
static int read_file(const char *path, u8 *buf, size_t cap, size_t *len)
{
	size_t got = 0;
	ssize_t n;
	int fd, err = 0;

	*len = 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (got == cap) {
			u8 extra;

			n = read(fd, &extra, 1);
			if (n > 0)
				err = -EFBIG;
			else if (n < 0)
				err = -errno;
			break;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	*len = got;
	return err;
}

/* A text dump holds no NUL and nothing but printable characters and space. */
static bool looks_like_text(const u8 *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isprint(buf[i]) && !isspace(buf[i]))
			return false;
	return len > 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * One line of lspci -xxx output: "c0: 09 00 10 01 ..." (offset, colon, up
 * to 16 two-digit bytes).  Other lines (lspci's device line, comments) are
 * not dump lines and are skipped: the function returns 0 for them.
 */
static int hex_line(char *line, struct vpl_tool_dev *d, u8 *filled)
{
	unsigned long off;
	char *p, *end;
	unsigned int n = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	off = strtoul(line, &end, 16);
	if (end == line || *end != ':' || (end[1] != ' ' && end[1] != '\t'))
		return 0;
	p = end + 1;
	for (;;) {
		int hi, lo;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n' || *p == '\r')
			break;
		hi = hex_digit(p[0]);
		lo = hi < 0 ? -1 : hex_digit(p[1]);
		if (lo < 0 || (p[2] && !isspace((unsigned char)p[2])))
			return 0;	/* not a dump line after all */
		if (n >= 16 || off + n >= VPL_TOOL_CFG_MAX)
			return -ERANGE;
		d->cfg[off + n] = hi << 4 | lo;
		filled[off + n] = 1;
		n++;
		p += 2;
	}
	return n;
}

/* Parses a hex dump; the result runs from 0 to the first byte not given. */
static int parse_hex(struct vpl_tool_dev *d, char *text)
{
	static u8 filled[VPL_TOOL_CFG_MAX];
	char *line, *save = NULL;
	int lines = 0, n;

	memset(filled, 0, sizeof(filled));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		n = hex_line(line, d, filled);
		if (n < 0)
			return n;
		lines += n > 0;
	}
	if (!lines)
		return -EINVAL;
	for (d->cfg_len = 0; d->cfg_len < VPL_TOOL_CFG_MAX; d->cfg_len++)
		if (!filled[d->cfg_len])
			break;
	return 0;
}

/* Reads configuration space from @path: binary (sysfs, dd) or hex text. */
static int load_config(struct vpl_tool_dev *d, const char *path, char *err,
		       size_t errlen)
{
	static u8 raw[TEXT_MAX + 1];
	size_t len;
	int ret;

	ret = read_file(path, raw, TEXT_MAX, &len);
	if (ret == -EFBIG) {
		snprintf(err, errlen, "%s: larger than any configuration space dump",
			 path);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (looks_like_text(raw, len)) {
		raw[len] = '\0';
		ret = parse_hex(d, (char *)raw);
		if (ret) {
			snprintf(err, errlen,
				 "%s: not a configuration space dump (binary, or lspci -xxx lines \"00: f4 1a ...\")",
				 path);
			return ret;
		}
		return 0;
	}
	if (len > VPL_TOOL_CFG_MAX) {
		snprintf(err, errlen, "%s: %zu bytes, more than a configuration space (4096)",
			 path, len);
		return -EFBIG;
	}
	memcpy(d->cfg, raw, len);
	d->cfg_len = len;
	return 0;
}

/* BAR types, 64-bit pairs and addresses from a type 0 header. */
static void decode_header_bars(struct vpl_tool_dev *d)
{
	unsigned int i;

	memset(d->bars, 0, sizeof(d->bars));
	if ((d->cfg[PCI_HEADER_TYPE] & 0x7f) != 0)
		return;		/* bridges: not a virtio function */
	for (i = 0; i < VPL_NUM_BARS; i++) {
		struct vpl_tool_bar *b = &d->bars[i];
		u32 v = vpl_cfg32(d, PCI_BASE_ADDRESS_0 + 4 * i);

		if (v & PCI_BAR_IO) {
			b->type = VPL_BAR_IO;
			b->addr = v & ~3u;
			continue;
		}
		b->addr = v & ~0xfu;
		if ((v & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 &&
		    i + 1 < VPL_NUM_BARS) {
			b->is64 = true;
			b->addr |= (u64)vpl_cfg32(d, PCI_BASE_ADDRESS_0 +
						  4 * (i + 1)) << 32;
			b->type = b->addr ? VPL_BAR_MEM : VPL_BAR_NONE;
			i++;	/* the upper half stays VPL_BAR_NONE */
			continue;
		}
		b->type = v ? VPL_BAR_MEM : VPL_BAR_NONE;
	}
}

/*
 * sysfs's resource file: one "start end flags" line per resource, the six
 * BARs first.  An empty line (0 0 0) is a BAR the function does not have.
 */
static int load_resource(struct vpl_tool_dev *d, const char *path, char *err,
			 size_t errlen)
{
	unsigned long long start, end, flags;
	unsigned int i;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	for (i = 0; i < VPL_NUM_BARS; i++) {
		struct vpl_tool_bar *b = &d->bars[i];

		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3) {
			fclose(f);
			snprintf(err, errlen, "%s: line %u is not \"start end flags\"",
				 path, i + 1);
			return -EINVAL;
		}
		memset(b, 0, sizeof(*b));
		b->sized = true;
		if (!(flags & (IORESOURCE_IO | IORESOURCE_MEM)) || end <= start)
			continue;
		b->type = flags & IORESOURCE_IO ? VPL_BAR_IO : VPL_BAR_MEM;
		b->is64 = flags & IORESOURCE_MEM_64;
		b->addr = start;
		b->len = end - start + 1;
	}
	fclose(f);
	return 0;
}

/* --bar N=SIZE[:io|:mem] */
int vpl_parse_bar_opt(struct vpl_tool_opts *o, const char *arg)
{
	struct vpl_tool_bar *b;
	unsigned long long len;
	char *end;
	int bar;

	if (arg[0] < '0' || arg[0] > '5' || arg[1] != '=')
		return -EINVAL;
	bar = arg[0] - '0';
	errno = 0;
	len = strtoull(arg + 2, &end, 0);
	if (errno || end == arg + 2)
		return -EINVAL;
	b = &o->bar_override[bar];
	memset(b, 0, sizeof(*b));
	b->len = len;
	b->sized = true;
	if (!*end)
		b->type = VPL_BAR_NONE;	/* keep the header's type */
	else if (!strcmp(end, ":mem"))
		b->type = VPL_BAR_MEM;
	else if (!strcmp(end, ":io"))
		b->type = VPL_BAR_IO;
	else
		return -EINVAL;
	o->bar_given[bar] = true;
	return 0;
}

static void apply_bar_options(struct vpl_tool_dev *d,
			      const struct vpl_tool_opts *o)
{
	unsigned int i;

	for (i = 0; i < VPL_NUM_BARS; i++) {
		const struct vpl_tool_bar *ov = &o->bar_override[i];
		struct vpl_tool_bar *b = &d->bars[i];

		if (!o->bar_given[i])
			continue;
		if (ov->type != VPL_BAR_NONE)
			b->type = ov->type;
		else if (b->type == VPL_BAR_NONE)
			b->type = VPL_BAR_MEM;
		b->len = ov->len;
		b->sized = true;
		if (!b->len)
			b->type = VPL_BAR_NONE;
	}
}

/* "0000:00:04.0" or "00:04.0" -> canonical "0000:00:04.0"; false if not. */
static bool pci_address(const char *s, char *out, size_t size)
{
	const char *p = s;
	unsigned int i, domain_len = 0;

	while (isxdigit((unsigned char)p[domain_len]))
		domain_len++;
	if (domain_len == 4 && p[4] == ':')
		p += 5;
	else
		domain_len = 0;
	/* bus (2 hex) ':' slot (2 hex) '.' function (0-7) */
	for (i = 0; i < 7; i++) {
		if (i == 2 && p[i] == ':')
			continue;
		if (i == 5 && p[i] == '.')
			continue;
		if (i == 2 || i == 5 || !isxdigit((unsigned char)p[i]))
			return false;
	}
	if (p[7] || p[6] < '0' || p[6] > '7')
		return false;
	snprintf(out, size, "%.4s:%s", domain_len ? s : "0000", p);
	for (i = 0; out[i]; i++)
		out[i] = tolower((unsigned char)out[i]);
	return true;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static bool exists(const char *path)
{
	return !access(path, F_OK);
}

/*
 * Fills @d from @arg: a PCI address (looked up in sysfs), a directory with
 * "config" (and "resource"), or a dump file.  Returns 0, or a negative errno
 * with a message in @err.
 */
int vpl_load_source(struct vpl_tool_dev *d, const struct vpl_tool_opts *o,
		    const char *arg, char *err, size_t errlen)
{
	char addr[32], dir[4096], path[4200];
	const char *resource = o->resource;
	bool from_sysfs = false;
	int ret;

	memset(d, 0, sizeof(*d));
	d->source = arg;
	d->chosen = -1;
	if (pci_address(arg, addr, sizeof(addr))) {
		snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", o->sysfs,
			 addr);
		if (!is_dir(dir)) {
			snprintf(err, errlen, "%s: no such PCI function in %s",
				 arg, o->sysfs);
			return -ENOENT;
		}
		from_sysfs = true;
	} else if (is_dir(arg)) {
		snprintf(dir, sizeof(dir), "%s", arg);
	} else {
		dir[0] = '\0';
	}

	if (dir[0]) {
		snprintf(path, sizeof(path), "%s/config", dir);
		ret = load_config(d, path, err, errlen);
		snprintf(path, sizeof(path), "%s/resource", dir);
		if (!resource && exists(path))
			resource = path;
	} else {
		ret = load_config(d, arg, err, errlen);
	}
	if (ret)
		return ret;

	if (d->cfg_len < VPL_CFG_SPACE_SIZE) {
		snprintf(err, errlen,
			 "%s: only %zu bytes of configuration space, the capability list needs %u%s",
			 arg, d->cfg_len, (unsigned int)VPL_CFG_SPACE_SIZE,
			 (from_sysfs || dir[0]) && geteuid() ?
			 " (sysfs shows unprivileged users only the header: run as root)" :
			 "");
		return -ENODATA;
	}

	decode_header_bars(d);
	if (resource) {
		ret = load_resource(d, resource, err, errlen);
		if (ret)
			return ret;
	}
	apply_bar_options(d, o);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Reads a sysfs attribute holding one number ("0x1af4"). */
static bool read_number(const char *path, unsigned long *val)
{
	char buf[32];
	size_t len;
	char *end;

	if (read_file(path, (u8 *)buf, sizeof(buf) - 1, &len))
		return false;
	buf[len] = '\0';
	*val = strtoul(buf, &end, 0);
	return end != buf;
}

/* Every virtio PCI function in sysfs (vendor 0x1af4, 0x1000-0x107f). */
int vpl_list_virtio(const char *sysfs, char ***names, size_t *n)
{
	char dir[4096], path[4400];
	unsigned long vendor, device;
	struct dirent *e;
	char **list = NULL;
	size_t count = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((e = readdir(dp))) {
		char **grown;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/vendor", dir, e->d_name);
		if (!read_number(path, &vendor) || vendor != VPL_PCI_VENDOR_VIRTIO)
			continue;
		snprintf(path, sizeof(path), "%s/%s/device", dir, e->d_name);
		if (!read_number(path, &device) || device > 0xffff ||
		    vpl_virtio_id(device, 0) < 0)
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (!grown)
			break;
		list = grown;
		list[count] = strdup(e->d_name);
		if (list[count])
			count++;
	}
	closedir(dp);
	if (count)
		qsort(list, count, sizeof(*list), cmp_names);
	*names = list;
	*n = count;
	return 0;
}
