#!/usr/bin/env python3
"""Writes a `clean` benchmark data set: a subscriber CSV of N rows and an mbox
of M bounce messages (Postfix DSNs, qmail prose, ARF complaints, auto-replies)
about addresses of that list, spread over 8 weekly mailings, every message with
its own Message-ID.

usage: scripts/make-clean-bench.py OUT_DIR [ROWS=100000] [MESSAGES=20000]
then:  target/release/listhygiene clean --list OUT_DIR/subscribers.csv \\
         --bounces OUT_DIR/bounces.mbox --out-dir OUT_DIR/out --db OUT_DIR/ws.sqlite
"""
import os
import random
import sys

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
messages = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
random.seed(7)
os.makedirs(out, exist_ok=True)

with open(os.path.join(out, "subscribers.csv"), "w", encoding="utf-8", newline="") as f:
    f.write("email;first_name;last_opened\r\n")
    for i in range(rows):
        f.write(f"user{i}@example{i % 97}.com;Name {i};2025-0{1 + i % 9}-1{i % 9}\r\n")


def original(issue, rcpt):
    return (f"From: Weekly <news@shop.example>\nTo: {rcpt}\nList-Id: Weekly <weekly.shop.example>\n"
            f"Subject: Weekly #{issue}\nDate: Tue, {2 + 7 * (issue % 4):02} Sep 2025 08:00:00 +0000\n"
            f"Message-ID: <w{issue}.{rcpt}@shop.example>\n")


def dsn(n, issue, rcpt, status, text):
    return (f"From: MAILER-DAEMON@mx.shop.example\nTo: news@shop.example\n"
            f"Subject: Undelivered Mail Returned to Sender\nMessage-ID: <b{n}@mx.shop.example>\n"
            f"Date: Tue, 02 Sep 2025 09:00:00 +0000\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
            f"--B\nContent-Type: text/plain\n\nThis is the mail system at host mx.shop.example.\n\n"
            f"<{rcpt}>: host mx.example.net said: {text} (in reply to RCPT TO command)\n\n"
            f"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.shop.example\n\n"
            f"Final-Recipient: rfc822; {rcpt}\nAction: failed\nStatus: {status}\n"
            f"Diagnostic-Code: smtp; {text}\n\n--B\nContent-Type: text/rfc822-headers\n\n"
            f"{original(issue, rcpt)}\n--B--\n")


def qmail(n, issue, rcpt):
    return (f"From: MAILER-DAEMON@relay.example.de\nTo: news@shop.example\nSubject: failure notice\n"
            f"Message-ID: <q{n}@relay.example.de>\nDate: Tue, 02 Sep 2025 09:00:00 +0000\n\n"
            f"Hi. This is the qmail-send program at relay.example.de.\n"
            f"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            f"This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            f"<{rcpt}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
            f"--- Below this line is a copy of the message.\n\n{original(issue, rcpt)}\nHello\n")


def arf(n, issue, rcpt):
    return (f"From: fbl@isp.example\nTo: abuse@shop.example\nSubject: Abuse report\n"
            f"Message-ID: <a{n}@isp.example>\nDate: Tue, 02 Sep 2025 12:00:00 +0000\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\n\n"
            f"--F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nOriginal-Rcpt-To: {rcpt}\n\n"
            f"--F\nContent-Type: text/rfc822-headers\n\n{original(issue, rcpt)}\n--F--\n")


def vacation(n, rcpt):
    return (f"From: {rcpt}\nTo: news@shop.example\nSubject: Out of Office\nAuto-Submitted: auto-replied\n"
            f"Message-ID: <v{n}@example.com>\nDate: Tue, 02 Sep 2025 10:00:00 +0000\n\nAway.\n")


with open(os.path.join(out, "bounces.mbox"), "w", encoding="utf-8") as f:
    for n in range(messages):
        i = random.randrange(rows // 10)
        rcpt = f"user{i}@example{i % 97}.com"
        issue = 1 + n % 8
        pick = random.random()
        if pick < 0.45:
            msg = dsn(n, issue, rcpt, "5.1.1", "550 5.1.1 User unknown")
        elif pick < 0.65:
            msg = dsn(n, issue, rcpt, "5.2.2", "552 5.2.2 Mailbox full")
        elif pick < 0.8:
            msg = qmail(n, issue, rcpt)
        elif pick < 0.9:
            msg = dsn(n, issue, rcpt, "5.7.1", "554 5.7.1 Client host blocked using zen.spamhaus.org")
        elif pick < 0.95:
            msg = arf(n, issue, rcpt)
        else:
            msg = vacation(n, rcpt)
        f.write("From MAILER-DAEMON Tue Sep  2 09:00:00 2025\n" + msg + "\n")
