# SPDX-License-Identifier: GPL-2.0
#
# hex.awk - shared by count.awk and report.awk (awk -f hex.awk -f ...).
#
# mawk has no strtonum().
function hex(s,    i, c, v) {
	sub(/^0x/, "", s)
	v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", tolower(substr(s, i, 1)))
		if (!c)
			break
		v = v * 16 + c - 1
	}
	return v
}
