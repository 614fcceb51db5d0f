#!/bin/bash
# Former name of bench/ab_bench.sh, kept so existing commands still work.
exec "$(dirname "$0")/ab_bench.sh" "$@"
