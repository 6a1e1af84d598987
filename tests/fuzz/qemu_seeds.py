#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qemu_seeds.py DUMP_DIR OUT_DIR

Turns the configuration spaces captured from real QEMU devices (the layout
tool's fixtures: NAME.hex, lspci -xxx style, and NAME.resource, the sysfs
resource file) into fuzzer inputs (see fuzz_parser.c): 256 bytes of
configuration space, the dialect byte (0: auto), then per BAR its type
(0 none, 1 memory, 2 I/O) and a 40-bit little-endian length.
"""
import pathlib
import sys

IORESOURCE_IO = 0x100
IORESOURCE_MEM = 0x200


def config_space(path):
    cfg = bytearray(256)
    for line in path.read_text().splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        off, data = line.split(":", 1)
        base = int(off, 16)
        for i, byte in enumerate(data.split()):
            if base + i < len(cfg):
                cfg[base + i] = int(byte, 16)
    return cfg


def bars(path):
    out = bytearray()
    lines = path.read_text().splitlines()[:6]
    for line in lines + ["0 0 0"] * (6 - len(lines)):
        start, end, flags = (int(v, 16) for v in line.split()[:3])
        kind = 0
        if start or end:
            kind = 1 if flags & IORESOURCE_MEM else 2 if flags & IORESOURCE_IO else 0
        length = end - start + 1 if kind else 0
        out.append(kind)
        out += (length & (2**40 - 1)).to_bytes(5, "little")
    return out


def main():
    src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    dst.mkdir(parents=True, exist_ok=True)
    n = 0
    for hexfile in sorted(src.glob("*.hex")):
        res = hexfile.with_suffix(".resource")
        if not res.exists():
            continue
        seed = config_space(hexfile) + bytes([0]) + bars(res)
        (dst / f"qemu-{hexfile.stem}").write_bytes(seed)
        n += 1
    print(f"{n} seeds from QEMU devices in {dst}")
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
