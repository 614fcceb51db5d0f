#!/usr/bin/python3
"""Summarise an `strace -f -y -o FILE` trace of httpd children.

usage: strace_sum.py TRACE FILENAME

Prints one line:

    SENDFILE_CALLS SENDFILE_BYTES READ_CALLS READ_BYTES MMAP_CALLS

counting only calls whose file descriptor is FILENAME (the -y annotation):
sendfile() from it, read()/pread64()/readv()/preadv() of it, and mmap() of
it. Byte counts are the calls' return values (errors count as calls, 0
bytes).
"""
import re
import sys

PID = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
RESULT = re.compile(r"\)\s+=\s+(-?\d+|0x[0-9a-f]+|\?)")
READS = {"read", "pread64", "readv", "preadv", "preadv2"}


def main():
    trace, name = sys.argv[1], sys.argv[2]
    pending = {}
    sf_calls = sf_bytes = rd_calls = rd_bytes = mm_calls = 0
    with open(trace, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = PID.match(line)
            pid = m.group(0).strip() if m else ""
            line = line[m.end():] if m else line
            if line.endswith("<unfinished ...>"):
                pending[pid] = line[:-len("<unfinished ...>")]
                continue
            r = RESUMED.match(line)
            if r:
                line = pending.pop(pid, r.group(1) + "(") + r.group(2)
            call = line.split("(", 1)[0]
            res = RESULT.search(line)
            if not res or "(" not in line:
                continue
            args = line.split("(", 1)[1]
            val = res.group(1)
            n = int(val) if val.lstrip("-").isdigit() else 0
            n = max(n, 0)
            if call in ("sendfile", "sendfile64"):
                # sendfile(out_fd, in_fd, ...): the second descriptor
                fds = re.findall(r"\d+<([^>]*)>", args)
                if len(fds) >= 2 and fds[1].endswith(name):
                    sf_calls += 1
                    sf_bytes += n
            elif call in READS:
                fd = re.match(r"\d+<([^>]*)>", args)
                if fd and fd.group(1).endswith(name):
                    rd_calls += 1
                    rd_bytes += n
            elif call == "mmap":
                if re.search(r"\d+<[^>]*%s>" % re.escape(name), args):
                    mm_calls += 1
    print(sf_calls, sf_bytes, rd_calls, rd_bytes, mm_calls)


if __name__ == "__main__":
    main()
