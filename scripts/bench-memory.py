#!/usr/bin/env python3
"""Memory bench of `listhygiene clean`: prints the peak resident memory of two runs
against their targets.

1. A large list: a subscriber CSV of ROWS rows (default 3,000,000, about 150 MB),
   with 1,000 bounces. Target: a peak of at most 4x the list's size.
2. A large mailbox: an mbox of MESSAGES small bounces (default 5,800,000, about
   2 GB: qmail-style notices about 1.5 million addresses over 8 weekly mailings),
   with a list of 100,000 rows. Target: a peak of at most 1 GiB.

usage: scripts/bench-memory.py [WORK_DIR=target/bench-memory] [list|mbox|both]
       (ROWS and MESSAGES come from the environment; the data is made once and kept)
Builds nothing: run `cargo build --release` first.
"""
import os
import random
import resource
import shutil
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, "target", "release", "listhygiene")
work = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target", "bench-memory"))
which = sys.argv[2] if len(sys.argv) > 2 else "both"
rows = int(os.environ.get("ROWS", 3_000_000))
messages = int(os.environ.get("MESSAGES", 5_800_000))


def make_list(path, n):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("email;first_name;last_opened\r\n")
        for i in range(n):
            f.write(f"user{i}@example{i % 97}.com;Name {i};2025-0{1 + i % 9}-1{i % 9}\r\n")


def make_mbox(path, n, addresses):
    random.seed(11)
    with open(path, "w", encoding="ascii", newline="") as f:
        for k in range(n):
            i = random.randrange(addresses)
            week = k % 8
            day = 2 + 7 * (week % 4)
            month = "Sep" if week < 4 else "Oct"
            f.write(
                f"From MAILER-DAEMON Tue Sep  2 09:00:00 2025\n"
                f"From: MAILER-DAEMON@mx{i % 13}.example.net\n"
                f"Subject: failure notice\n"
                f"Message-ID: <q{k}@mx.example.net>\n"
                f"Date: Tue, {day:02} {month} 2025 09:00:00 +0000\n\n"
                f"Hi. This is the qmail-send program at mx{i % 13}.example.net.\n"
                f"I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
                f"<user{i}@example{i % 97}.com>:\n"
                f"Sorry, no mailbox here by that name. (#5.1.1)\n\n"
            )


def run_clean(case_dir, list_path, bounces):
    out = os.path.join(case_dir, "out")
    db = os.path.join(case_dir, "ws.sqlite")
    shutil.rmtree(out, ignore_errors=True)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    started = time.time()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv(binary, [binary, "clean", "--list", list_path, "--bounces", bounces,
                          "--out-dir", out, "--db", db])
    _, status, usage = os.wait4(pid, 0)
    seconds = time.time() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"clean failed in {case_dir} (exit {os.waitstatus_to_exitcode(status)})")
    return usage.ru_maxrss * 1024, seconds


def mib(n):
    return f"{n / (1 << 20):,.0f} MiB"


if not os.path.exists(binary):
    sys.exit(f"{binary} is missing: run `cargo build --release` first")
os.makedirs(work, exist_ok=True)
failed = False

if which in ("list", "both"):
    case = os.path.join(work, f"list-{rows}")
    os.makedirs(case, exist_ok=True)
    list_path = os.path.join(case, "subscribers.csv")
    mbox = os.path.join(case, "bounces.mbox")
    if not os.path.exists(list_path):
        make_list(list_path, rows)
        make_mbox(mbox, 1000, rows)
    size = os.path.getsize(list_path)
    peak, seconds = run_clean(case, list_path, mbox)
    ok = peak <= 4 * size
    failed |= not ok
    print(f"list of {rows:,} rows ({mib(size)}), 1,000 bounces: peak {mib(peak)} "
          f"= {peak / size:.2f}x the list (target <= 4x) in {seconds:.1f} s  "
          f"{'ok' if ok else 'OVER'}")

if which in ("mbox", "both"):
    case = os.path.join(work, f"mbox-{messages}")
    os.makedirs(case, exist_ok=True)
    list_path = os.path.join(case, "subscribers.csv")
    mbox = os.path.join(case, "bounces.mbox")
    if not os.path.exists(mbox):
        make_list(list_path, 100_000)
        make_mbox(mbox, messages, max(messages // 4, 1))
    size = os.path.getsize(mbox)
    peak, seconds = run_clean(case, list_path, mbox)
    ok = peak <= 1 << 30
    failed |= not ok
    print(f"mbox of {messages:,} messages ({mib(size)}), 100,000-row list: peak {mib(peak)} "
          f"(target <= 1,024 MiB) in {seconds:.1f} s  {'ok' if ok else 'OVER'}")

sys.exit(1 if failed else 0)
