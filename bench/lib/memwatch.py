#!/usr/bin/python3
"""Peak RSS growth of httpd's children while one command runs.

usage: memwatch.py PARENT_PID TIMEOUT_S -- COMMAND...

For every child of PARENT_PID: read VmRSS, reset the peak (echo 5 >
/proc/PID/clear_refs resets VmHWM), run COMMAND, read VmHWM. Meanwhile
VmRSS is also sampled every 10 ms, as a cross-check and as the fallback
when clear_refs cannot be written. Prints one line:

    GROWTH_MIB SAMPLED_MIB METHOD RC COMMAND_STDOUT

GROWTH_MIB is max over children of (VmHWM - VmRSS before) ("hwm") or, if
the peak could not be reset, of (max sampled VmRSS - VmRSS before)
("sampled"); RC is COMMAND's exit status (124 after TIMEOUT_S).
"""
import os
import subprocess
import sys
import time


def children(ppid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        if int(st.rsplit(")", 1)[1].split()[1]) == ppid:
            out.append(int(d))
    return out


def status_kib(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    ppid, limit = int(sys.argv[1]), float(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    before, peak, reset = {}, {}, True
    for pid in children(ppid):
        try:
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")
        except OSError:
            reset = False
        rss = status_kib(pid, "VmRSS")
        if rss is not None:
            before[pid] = peak[pid] = rss
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + limit
    rc = None
    while rc is None:
        for pid in before:
            rss = status_kib(pid, "VmRSS")
            if rss is not None and rss > peak[pid]:
                peak[pid] = rss
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            rc = 124
            break
        time.sleep(0.01)
        rc = proc.poll()
    out = proc.stdout.read().decode(errors="replace").strip()
    hwm_growth = sampled = 0
    for pid, b in before.items():
        hwm = status_kib(pid, "VmHWM")
        if hwm is not None:
            hwm_growth = max(hwm_growth, hwm - b)
        sampled = max(sampled, peak[pid] - b)
    growth, method = (hwm_growth, "hwm") if reset else (sampled, "sampled")
    print("%.2f %.2f %s %d %s" % (growth / 1024, sampled / 1024, method, rc,
                                  out or "-"))


if __name__ == "__main__":
    main()
