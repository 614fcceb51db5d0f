#!/usr/bin/python3
"""Markdown tables from the raw measurements of bench/ab_bench.sh.

usage: report.py KIND RAW_TSV VARIANT...

KIND is throughput, ttfb or memory. RAW_TSV has one measurement per line:
case, variant, round, value, note (tab-separated). Prints the table of
medians with the comparison against plain (ratio for throughput,
difference for the others) and the target, then every round's values.
"""
import os
import statistics
import sys

BIG = os.environ.get("BIG_MB", "512")
UP = os.environ.get("UPLOAD_MB", "256")

KINDS = {
    "throughput": dict(
        unit="req/s", fmt="%.0f", compare="ratio",
        target=("audit", lambda a, p: a >= 0.90 * p, "audit ≥ 0.90 × plain"),
        cases={"get": "1 KiB JSON GET (static file)",
               "post": "1 KiB JSON POST echo (reflector)",
               "post-login": "1 KiB JSON login POST echo, 7 values redacted (reflector)",
               "get64": "64 KiB JSON GET (static file)",
               "get64gz": "the same 64 KiB JSON, gzip-encoded (static .json.gz)",
               "proxied": "1 KiB JSON GET through mod_proxy_http"}),
    "ttfb": dict(
        unit="ms", fmt="%.1f", compare="diff",
        target=("audit", lambda a, p: a <= p + 5.0, "audit ≤ plain + 5 ms"),
        cases={"cgi": "2 s text/plain stream, CGI",
               "proxied": "2 s text/plain stream through mod_proxy_http"}),
    "memory": dict(
        unit="MiB", fmt="%.2f", compare="diff",
        target=("audit", lambda a, p: a <= p + 1.0625,
                "audit ≤ plain + 64 KiB + 1 MiB"),
        cases={"static": "%s MiB static download (sendfile)" % BIG,
               "proxied": "%s MiB download through mod_proxy_http" % BIG,
               "upload": "%s MiB upload to the reflector (echoed)" % UP}),
}


def main():
    kind, raw, variants = sys.argv[1], sys.argv[2], sys.argv[3:]
    k = KINDS[kind]
    data, notes, order = {}, {}, []
    with open(raw) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                continue
            case, var, _rnd, val = parts[:4]
            if case not in order:
                order.append(case)
            try:
                v = float(val)
            except ValueError:
                v = float("nan")
            data.setdefault((case, var), []).append(v)
            if len(parts) > 4 and parts[4] not in ("", "-", "ok"):
                notes.setdefault((case, var), []).append(parts[4])
    fmt = k["fmt"]
    others = [v for v in variants if v != "plain"]
    cmp_head = ["%s/plain" % v if k["compare"] == "ratio" else
                "%s − plain" % v for v in others]
    print("| %s | %s | %s | target: %s |" % (
        "workload", " | ".join("%s %s" % (v, k["unit"]) for v in variants),
        " | ".join(cmp_head), k["target"][2]))
    print("|---" * (2 + len(variants) + len(others)) + "|")

    def med(case, var):
        vals = [x for x in data.get((case, var), []) if x == x]
        return statistics.median(vals) if vals else float("nan")

    for case in order:
        meds = {v: med(case, v) for v in variants}
        cells = [fmt % meds[v] for v in variants]
        p = meds.get("plain", float("nan"))
        for v in others:
            if k["compare"] == "ratio":
                cells.append("%.2f" % (meds[v] / p) if p else "nan")
            else:
                cells.append(("%+" + fmt[1:]) % (meds[v] - p))
        tv, test, _ = k["target"]
        if tv in meds and p == p and meds[tv] == meds[tv]:
            verdict = "met" if test(meds[tv], p) else "**not met**"
        else:
            verdict = "n/a"
        print("| %s | %s | %s |" % (k["cases"].get(case, case),
                                    " | ".join(cells), verdict))
    # Ratios within each round: each variant against the plain run of the
    # same round (minutes apart at most), which cancels the drift of a
    # shared machine that the medians above still carry.
    if k["compare"] == "ratio" and others:
        print()
        print("Paired by round: variant/plain of the same round, median "
              "[min–max] over the rounds:")
        print()
        print("| workload | %s |" % " | ".join("%s/plain" % v
                                                for v in others))
        print("|---" * (1 + len(others)) + "|")
        for case in order:
            pv = data.get((case, "plain"), [])
            cells = []
            for v in others:
                rs = [a / b for a, b in zip(data.get((case, v), []), pv)
                      if a == a and b == b and b > 0]
                cells.append("%.2f [%.2f–%.2f]" % (statistics.median(rs),
                                                    min(rs), max(rs))
                             if rs else "")
            print("| %s | %s |" % (k["cases"].get(case, case),
                                   " | ".join(cells)))
    # What redaction costs: audit against audit-noredact, paired by round.
    if k["compare"] == "ratio" and "audit" in variants \
            and "audit-noredact" in variants:
        print()
        print("Redaction: audit/audit-noredact of the same round, median "
              "[min–max] (target: ≥ 0.95):")
        print()
        print("| workload | audit/audit-noredact |")
        print("|---|---|")
        for case in order:
            rs = [a / b for a, b in zip(data.get((case, "audit"), []),
                                        data.get((case, "audit-noredact"), []))
                  if a == a and b == b and b > 0]
            if rs:
                print("| %s | %.2f [%.2f–%.2f] |" % (
                    k["cases"].get(case, case), statistics.median(rs),
                    min(rs), max(rs)))
    # What keeping bodies only for errors costs: audit-keep500/audit.
    if k["compare"] == "ratio" and "audit" in variants \
            and "audit-keep500" in variants:
        print()
        print("KeepBodies: audit-keep500/audit of the same round, median "
              "[min–max] (target: ≥ 1.00 within noise):")
        print()
        print("| workload | audit-keep500/audit |")
        print("|---|---|")
        for case in order:
            rs = [a / b for a, b in zip(data.get((case, "audit-keep500"), []),
                                        data.get((case, "audit"), []))
                  if a == a and b == b and b > 0]
            if rs:
                print("| %s | %.2f [%.2f–%.2f] |" % (
                    k["cases"].get(case, case), statistics.median(rs),
                    min(rs), max(rs)))
    # CPU time per request (throughput notes "cpu_us/req=X"), if measured
    cpu = {}
    for (case, var), ns in notes.items():
        for n in ns:
            for word in n.split():
                if word.startswith("cpu_us/req="):
                    cpu.setdefault((case, var), []).append(
                        float(word.split("=", 1)[1]))
    if cpu:
        print()
        print("CPU time of the children per request (µs, median of the "
              "rounds; − plain):")
        print()
        print("| workload | %s |" % " | ".join(variants))
        print("|---" * (1 + len(variants)) + "|")
        for case in order:
            pc = cpu.get((case, "plain"))
            pm = statistics.median(pc) if pc else float("nan")
            cells = []
            for v in variants:
                c = cpu.get((case, v))
                if not c:
                    cells.append("")
                    continue
                m = statistics.median(c)
                cells.append("%.1f" % m if v == "plain" else
                             "%.1f (%+.1f)" % (m, m - pm))
            print("| %s | %s |" % (k["cases"].get(case, case),
                                   " | ".join(cells)))
        # Decoding against capturing: the module's CPU per request (audit
        # minus plain) on the gzip-encoded 64 KiB file over the same on the
        # plain file (target: <= 2).
        def extra(case):
            a, p = cpu.get((case, "audit")), cpu.get((case, "plain"))
            if not a or not p:
                return None
            return statistics.median(a) - statistics.median(p)
        cap, dec = extra("get64"), extra("get64gz")
        if cap is not None and dec is not None and cap > 0:
            print()
            print("Decoding a 64 KiB gzip body for the record: %.1f µs of "
                  "CPU per request over plain, capturing it uncompressed "
                  "%.1f µs: %.2f × (target: ≤ 2)" % (dec, cap, dec / cap))
    print()
    print("Every round (%s):" % k["unit"])
    print()
    print("| workload | variant | values | notes |")
    print("|---|---|---|---|")
    for case in order:
        for v in variants:
            vals = data.get((case, v), [])
            print("| %s | %s | %s | %s |" % (
                case, v, " ".join(fmt % x for x in vals),
                "; ".join(notes.get((case, v), [])) or ""))


if __name__ == "__main__":
    main()
