# SPDX-License-Identifier: GPL-2.0
#
# facts.jq: reduces virtio-pci-layout --json output for one function to
# plain lines the tool tests compare with *.expect files:
#   valid true|false
#   selected virtio1|draft|none
#   region NAME BAR OFFSET LENGTH | region NAME none   (the selected dialect)
#   notify_off_multiplier N                            (the selected dialect)
#   vendor_data VENDOR_ID LENGTH                       (the selected dialect)
#   state DIALECT valid|usable|absent|invalid|not checked
#   problem DIALECT PROBLEM FIELD VALUE                (every dialect)
#   warnings KEY ... | warnings none      the linter's, their keys sorted
#                                         (not its advice)
.[0] as $d
| "valid \($d.valid)",
  "selected \($d.selected // "none")",
  (if $d.selected then
     ($d.dialects[$d.selected]
      | (.regions | to_entries[]
         | "region \(.key) "
           + (if .value then "\(.value.bar) \(.value.offset) \(.value.length)"
              else "none" end)),
        "notify_off_multiplier \(.notify_off_multiplier)",
        (if (.vendor_data | length) == 0 then "vendor_data none"
         else (.vendor_data[] | "vendor_data \(.vendor_id) \(.length)") end))
   else empty end),
  ($d.dialects | to_entries[] | .key as $k
   | "state \($k) \(.value.state)",
     (.value.problems[] | "problem \($k) \(.problem) \(.field) \(.value)")),
  "warnings \([$d.warnings[] | select(.advice | not) | .key] | unique | if length == 0 then "none" else join(" ") end)"
