#!/bin/bash
# Soak: SOAK_SECS (default 600) of mixed load on one httpd with both
# modules (event MPM, 2 children x 32 threads, 127.0.0.1 only), sampling
# every child's RSS and open fds once a second, then asserting:
#   - RSS and fds are flat after warm-up (the last minute against the
#     second one, per child: RSS within SOAK_RSS_SLACK_MB, fds within
#     SOAK_FD_SLACK);
#   - every audit line parses as JSON, and there are as many records as
#     requests in the access log;
#   - no error-log line at level error or worse.
# Load (all bounded by SOAK_SECS):
#   - wrk -c4 with a 10 ms think time per request: 70% GET of a 1 KiB JSON
#     file, 10% POST of 1 KiB to the reflector, 20% GET through
#     mod_id_proxy with a random id among 200 (IdProxyMaxBackends 32);
#   - one after the other: a 100 MiB download and a 100 MiB upload (echoed);
#   - WebSocket sessions (tests/t/bin/ws_client.py) through mod_id_proxy, one
#     every 2 s, each held 1 s.
# usage: bench/soak.sh        knobs: SOAK_SECS=600 PORT_BASE=18600 KEEP=0
# Results: bench/out/results-soak.md and raw-soak.tsv; exit status 0 only
# if every assertion holds.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
SOAK_SECS=${SOAK_SECS:-600}
SOAK_RSS_SLACK_MB=${SOAK_RSS_SLACK_MB:-8}
SOAK_FD_SLACK=${SOAK_FD_SLACK:-40}
PORT_BASE=${PORT_BASE:-18600}
KEEP=${KEEP:-0}
HTTPD=${HTTPD:-/usr/sbin/apache2}
MODS=${MODS:-/usr/lib/apache2/modules}
APXS=${APXS:-apxs}
SO=$top/mod_audit_body/.libs/mod_audit_body.so
IDP_SO=$top/mod_id_proxy/.libs/mod_id_proxy.so
[[ $SOAK_SECS =~ ^[0-9]+$ ]] && [ "$SOAK_SECS" -ge 120 ] || { echo "SOAK_SECS must be >= 120" >&2; exit 2; }

source bench/lib/common.sh
die() { say "soak: $*"; exit 1; }
[ -f "$SO" ] && [ -f "$IDP_SO" ] || die "build first (./autogen.sh && ./configure && make)"
need_tools wrk curl python3 "$HTTPD" "$APXS"

setup_work soak
mkdir -p "$work/htdocs" "$work/conf-src" "$work/mod"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    stop_all
    if [ "$KEEP" = 1 ]; then say "soak: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Content, and the WebSocket echo handler of the test backend module.
small_json > "$work/htdocs/small.json"
yes 'soak: one line of plain text for the 100 MiB download, 64 bytes ..' \
    | head -c $((100 * 1048576)) > "$work/htdocs/big.txt"
cp "$work/htdocs/big.txt" "$work/upload.txt"
chmod -R a+rX "$work/htdocs"
cp tests/c-modules/ab_backend/mod_ab_backend.c "$work/mod/"
(cd "$work/mod" && "$APXS" -c mod_ab_backend.c >/dev/null 2>&1) || die "cannot build the WebSocket echo module"
chmod -R a+rX "$work/mod"

src=$work/conf-src
{
    multi_backend_conf 200 60
    echo "LoadModule ab_backend_module $work/mod/.libs/mod_ab_backend.so"
    echo '<Location "/ws">'
    echo '    SetHandler ab-ws-echo'
    echo '</Location>'
} > "$src/backend.conf"
{
    echo 'LoadModule audit_body_module "@SO@"'
    echo 'LoadModule id_proxy_module "@IDP_SO@"'
    echo 'AuditBody On'
    echo 'AuditBodyLog logs/audit_body.log'
    echo 'IdProxyMaxBackends 32'
    echo 'IdProxyWorkerParams upgrade=websocket'
    echo 'IdProxyRoute /t/ http://127.0.0.{id}:@BACKEND_PORT@/t/ source=path:1'
    echo 'IdProxyRoute /ws/ http://127.0.0.{id}:@BACKEND_PORT@/ws'
    echo 'IdProxyIdPattern ^[0-9]{1,3}$'
} > "$src/soak.conf"
instance backend "$src/backend.conf"
instance soak "$src/soak.conf"
start backend
start soak
say "soak: ports backend=${PORT[backend]} soak=${PORT[soak]}, ${SOAK_SECS}s"
url() { echo "http://127.0.0.1:${PORT[soak]}$1"; }
# The start-up probe's record may still sit in the batch queue (written
# within AuditBodyLogBuffer's 50 ms): let it land before emptying the logs,
# or the audit log would count one record more than the access log.
sleep 1
truncate_logs soak

# ------------------------------------------------------------ load
cat > "$work/mix.lua" <<'EOF'
local body = '{"pad":"' .. string.rep("y", 1014) .. '"}'
function delay() return 10 end
function request()
    local r = math.random(100)
    if r <= 70 then
        return wrk.format("GET", "/small.json")
    elseif r <= 80 then
        return wrk.format("POST", "/echo", {["Content-Type"] = "application/json"}, body)
    else
        local id = math.random(2, 200)
        return wrk.format("GET", "/t/" .. id .. "/small.json")
    end
end
EOF
end=$(($(date +%s) + SOAK_SECS))
timeout $((SOAK_SECS + 30)) wrk -t1 -c4 -d"${SOAK_SECS}s" -s "$work/mix.lua" "$(url /)" \
    > "$work/wrk.txt" 2>&1 &
pids+=($!)
(   n=0
    while [ "$(date +%s)" -lt $((end - 20)) ]; do
        curl -s -o /dev/null --max-time 120 -w 'download %{http_code} %{size_download}\n' "$(url /big.txt)"
        curl -s -o /dev/null --max-time 120 -X POST -T "$work/upload.txt" -H 'Expect:' \
             -H 'Content-Type: text/plain' -w 'upload %{http_code} %{size_upload}\n' "$(url /echo)"
        n=$((n + 1))
        sleep 5
    done ) > "$work/big.txt.log" 2>&1 &
pids+=($!)
(   while [ "$(date +%s)" -lt $((end - 15)) ]; do
        id=$((RANDOM % 199 + 2))
        timeout 20 python3 tests/t/bin/ws_client.py --hold=1 "ws://127.0.0.1:${PORT[soak]}/ws/?id=$id" soak \
            >/dev/null 2>&1 && echo "ws ok" || echo "ws FAIL id=$id"
        sleep 2
    done ) > "$work/ws.log" 2>&1 &
pids+=($!)

# ------------------------------------------------------------ sampling
raw=$work/raw-soak.tsv
: > "$raw"
t0=$(date +%s)
while [ "$(date +%s)" -lt "$end" ]; do
    t=$(($(date +%s) - t0))
    for p in $(children "$(pid_of soak)"); do
        rss=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
        fds=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
        printf '%s\t%s\t%s\t%s\n' "$t" "$p" "${rss:-0}" "$fds" >> "$raw"
    done
    sleep 1
done
wait "${pids[0]}" 2>/dev/null
for p in "${pids[@]:1}"; do wait "$p" 2>/dev/null; done
pids=()
sleep 3                                   # last records of the logging phase

# ------------------------------------------------------------ verdict
md=$out/results-soak.md
python3 - "$raw" "$work/soak/logs/audit_body.log" "$work/soak/logs/access.log" \
    "$work/soak/logs/error.log" "$SOAK_RSS_SLACK_MB" "$SOAK_FD_SLACK" \
    "$work/big.txt.log" "$work/ws.log" "$work/wrk.txt" > "$work/verdict.md" <<'PY'
import json, statistics, sys, re
raw, audit, access, errlog, rss_slack, fd_slack, big, ws, wrk = sys.argv[1:]
rss_slack, fd_slack = float(rss_slack), int(fd_slack)
rows = [l.split("\t") for l in open(raw).read().split("\n") if l]
per = {}
for t, pid, rss, fds in rows:
    per.setdefault(pid, []).append((int(t), int(rss) / 1024.0, int(fds)))
ok = True
print("| child | RSS min 2 (MiB, median) | RSS last min | fds min 2 (max) | fds last min (max) | verdict |")
print("|---|---|---|---|---|---|")
for pid, s in sorted(per.items()):
    tmax = max(t for t, _, _ in s)
    m2 = [x for x in s if 60 <= x[0] < 120]
    last = [x for x in s if x[0] >= tmax - 60]
    if not m2 or not last:
        continue
    r2, rl = statistics.median(x[1] for x in m2), statistics.median(x[1] for x in last)
    f2, fl = max(x[2] for x in m2), max(x[2] for x in last)
    good = rl - r2 <= rss_slack and fl - f2 <= fd_slack
    ok &= good
    print("| %s | %.1f | %.1f | %d | %d | %s |" % (pid, r2, rl, f2, fl, "flat" if good else "GROWS"))
print()
print("Curve (every 30 s; RSS MiB / fds per child):")
print()
pids = sorted(per)
print("| t (s) | " + " | ".join(pids) + " |")
print("|---|" + "---|" * len(pids))
ts = sorted({t for t, _, _, _ in [(int(r[0]), 0, 0, 0) for r in rows]})
for t in ts:
    if t % 30 == 0:
        cells = []
        for pid in pids:
            v = [x for x in per[pid] if x[0] == t]
            cells.append("%.1f / %d" % (v[0][1], v[0][2]) if v else "-")
        print("| %d | %s |" % (t, " | ".join(cells)))
print()
bad = n = 0
for line in open(audit, "rb"):
    n += 1
    try:
        json.loads(line)
    except Exception:
        bad += 1
acc = sum(1 for _ in open(access, "rb"))
print("Audit records: %d, unparsable: %d; access log requests: %d." % (n, bad, acc))
ok &= bad == 0 and n == acc
errs = [l for l in open(errlog, errors="replace")
        if re.search(r"\[[a-z0-9_]+:(error|crit|alert|emerg)\]", l)]
print("error.log lines at level error or worse: %d." % len(errs))
for l in errs[:5]:
    print("    " + l.rstrip()[:200])
ok &= not errs
bigl = open(big).read().split("\n")
dl = [l for l in bigl if l.startswith("download")]
up = [l for l in bigl if l.startswith("upload")]
dl_ok = all(l == "download 200 104857600" for l in dl)
up_ok = all(l == "upload 200 104857600" for l in up)
print("100 MiB downloads: %d (%s); uploads: %d (%s)." % (len(dl), "all whole" if dl_ok else "SOME FAILED",
                                                          len(up), "all whole" if up_ok else "SOME FAILED"))
wsl = open(ws).read().split("\n")
wok, wbad = wsl.count("ws ok"), len([l for l in wsl if l.startswith("ws FAIL")])
print("WebSocket sessions: %d ok, %d failed." % (wok, wbad))
ok &= dl_ok and up_ok and wbad == 0 and len(dl) > 0 and wok > 0
m = re.search(r"(\d+) requests in", open(wrk).read())
print("wrk requests: %s." % (m.group(1) if m else "?"))
print()
print("VERDICT: %s" % ("PASS" if ok else "FAIL"))
PY
{
    echo "## Soak: ${SOAK_SECS} s of mixed load"
    echo
    echo "$(date -u '+%F %H:%M UTC'), $(nproc) cores, $("$HTTPD" -v | sed -n 's/^Server version: //p') event MPM (2 children x 32 threads), commit $(git rev-parse --short HEAD 2>/dev/null)"
    echo
    echo "Reproduce: \`SOAK_SECS=$SOAK_SECS bench/soak.sh\`"
    echo
    cat "$work/verdict.md"
} > "$md"
cp "$raw" "$out/raw-soak.tsv"
cat "$md"
grep -q '^VERDICT: PASS' "$work/verdict.md"
