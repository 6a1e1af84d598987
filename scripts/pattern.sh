#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pattern.sh [OUT]
#
# Writes the test pattern (default build/pattern/pattern-<MiB>M.bin) and its sha256
# (OUT.sha256, the bare hex digest) unless both already exist, and prints the
# path of the pattern.
#
# The pattern is an AES-128-CTR keystream under a fixed key: incompressible,
# without repeating blocks (a misplaced or duplicated sector changes the
# checksum), and the same on every machine, as CTR mode is fully specified.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The size is in the name so that changing VPL_PATTERN_MIB cannot reuse a
# pattern of another size.
out=${1:-$VPL_BUILD/pattern/pattern-${VPL_PATTERN_MIB}M.bin}
if [ ! -s "$out" ] || [ ! -s "$out.sha256" ]; then
	vpl_need_tools openssl:openssl
	mkdir -p "$(dirname "$out")"
	head -c "$((VPL_PATTERN_MIB * 1024 * 1024))" /dev/zero |
		openssl enc -aes-128-ctr -nosalt \
			-K 76697274696f2d7063692d6c61796f75 \
			-iv 00000000000000000000000000000000 >"$out.tmp"
	sha256sum <"$out.tmp" | cut -d' ' -f1 >"$out.sha256"
	mv "$out.tmp" "$out"
fi
echo "$out"
