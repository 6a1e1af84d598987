#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ppm.py FILE WIDTH HEIGHT

Judges m-devices' virtio-gpu screendump (written by the host agent): its
size must be WIDTH x HEIGHT and it must show a picture (many colours), not
a blank or text console.  Exit status 0 when it does.
"""
import sys


def check_ppm(path, width, height):
    """A screendump of WIDTH x HEIGHT showing a picture: many colours."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as err:
        print(f"no screendump: {err}")
        return 1
    fields = []
    pos = 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if pos >= len(data):
            print(f"{path}: {len(data)} bytes, an incomplete PPM header")
            return 1
        if data[pos:pos + 1] == b"#":
            end = data.find(b"\n", pos)
            pos = len(data) if end < 0 else end + 1
            continue
        end = pos
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end].decode(errors="replace"))
        pos = end
    pixels = data[pos + 1:]
    if fields[0] != "P6":
        print(f"{path}: not a binary PPM ({fields[0]})")
        return 1
    try:
        w, h = int(fields[1]), int(fields[2])
    except ValueError:
        print(f"{path}: not a PPM size: {fields[1]} x {fields[2]}")
        return 1
    colours = {pixels[i:i + 3] for i in range(0, min(len(pixels), w * h * 3), 3 * 97)}
    print(f"{path}: {w}x{h}, {len(colours)} colours in a sample of the pixels")
    if (w, h) != (width, height):
        print(f"the scanout is {w}x{h}, want {width}x{height} (the mode the guest set)")
        return 1
    if len(colours) < 8:
        print("the scanout shows no test picture")
        return 1
    return 0


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    return check_ppm(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))


if __name__ == "__main__":
    sys.exit(main())
