#!/bin/bash
# Peak memory of mod_audit_body with 16 MiB caps under concurrency, side
# by side with AuditBody Off: CONC clients at once POST a BODY_MB MiB
# binary body (chunked: length unknown) to mod_reflector, which echoes it
# (chunked), so both directions are captured up to the cap and written as
# base64. The children's summed RSS is sampled every 10 ms; the growth
# over the idle children is reported per variant and round, with the
# target: growth(audit16) - growth(off16) <= CONC x (2 caps + record + 1 MiB).
#
# usage: bench/ab_mem16.sh     (env: CONC=8 ROUNDS=3 BODY_MB=17 KEEP=0)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
CONC=${CONC:-8}
ROUNDS=${ROUNDS:-3}
BODY_MB=${BODY_MB:-17}
KEEP=${KEEP:-0}
PORT_BASE=${PORT_BASE:-18600}
HTTPD=${HTTPD:-/usr/sbin/apache2}
MODS=${MODS:-/usr/lib/apache2/modules}
SO=${AUDIT_SO:-$top/mod_audit_body/.libs/mod_audit_body.so}
for n in CONC ROUNDS BODY_MB; do
    [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a number" >&2; exit 2; }
done

source bench/lib/common.sh
[ -f "$SO" ] || die "$SO missing: build first"
need_tools curl python3 "$HTTPD"

setup_work mem16
mkdir -p "$work/htdocs"
cleanup() {
    stop_all
    if [ "$KEEP" = 1 ]; then say "ab_mem16: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

small_json > "$work/htdocs/small.json"
head -c $((BODY_MB * 1048576)) /dev/urandom > "$work/body.bin"
chmod 644 "$work/body.bin"
for v in off16 audit16; do
    instance "$v" "$v.conf"
    start "$v"
done

# CONC concurrent chunked POSTs of body.bin to /echo while the children's
# summed VmRSS is sampled: prints "GROWTH_MIB OK_COUNT".
measure() {
    python3 - "$(pid_of "$1")" "$CONC" "http://127.0.0.1:${PORT[$1]}/echo" \
        "$work/body.bin" "$((BODY_MB * 1048576))" ${2:+"$2"} <<'PY'
import os, subprocess, sys, time
ppid, conc, url, body, size = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
log = sys.argv[6] if len(sys.argv) > 6 else None
def kids():
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                st = open("/proc/%s/stat" % d).read()
            except OSError:
                continue
            if int(st.rsplit(")", 1)[1].split()[1]) == ppid:
                out.append(int(d))
    return out
def rss(pids):
    t = 0
    for p in pids:
        try:
            for line in open("/proc/%d/status" % p):
                if line.startswith("VmRSS:"):
                    t += int(line.split()[1])
        except OSError:
            pass
    return t
pids = kids()
before = peak = rss(pids)
procs = [subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--max-time", "300",
                           "-w", "%{http_code}:%{size_download}",
                           "-H", "Content-Type: text/plain",
                           "-H", "Transfer-Encoding: chunked", "-H", "Expect:",
                           "--data-binary", "@" + body, url],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
         for _ in range(conc)]
while any(p.poll() is None for p in procs):
    peak = max(peak, rss(pids))
    time.sleep(0.01)
# the logging phase runs after the last byte: sample until every record
# is in the log (audit16), or for 0.5 s (off16)
deadline = time.monotonic() + (30 if log else 0.5)
while time.monotonic() < deadline:
    peak = max(peak, rss(pids))
    if log and os.path.exists(log) and open(log, "rb").read().count(b"\n") >= conc:
        break
    time.sleep(0.01)
time.sleep(0.2)
peak = max(peak, rss(pids))
ok = sum(1 for p in procs if p.stdout.read().decode() == "200:%d" % size)
print("%.1f %d" % ((peak - before) / 1024.0, ok))
PY
}

say "ab_mem16: $CONC concurrent ${BODY_MB} MiB binary echoes, caps 16 MiB"
printf '| round | off16 growth MiB | audit16 growth MiB | difference MiB | per request MiB | clients OK |\n|---|---|---|---|---|---|\n'
for ((r = 1; r <= ROUNDS; r++)); do
    read -r g_off ok_off <<<"$(measure off16)"
    truncate_logs off16
    read -r g_on ok_on <<<"$(measure audit16 "$work/audit16/logs/audit_body.log")"
    rec=$(wc -c < "$work/audit16/logs/audit_body.log")
    truncate_logs audit16
    python3 -c "
off, on, conc = $g_off, $g_on, $CONC
print('| %d | %.1f | %.1f | %.1f | %.1f | %s/%d, %s/%d |' % ($r, off, on, on - off,
      (on - off) / conc, $ok_off, conc, $ok_on, conc))"
    say "ab_mem16: round $r: records $rec bytes for $CONC requests"
done
say "ab_mem16: target per request: 2 x 16 MiB caps + record (~44.7 MB for 16 MiB base64 both ways) + 1 MiB = ~78 MB (~75 MiB)"
