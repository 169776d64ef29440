#!/usr/bin/env python3
"""Generates N alerts (default 1,000,000) over one day for bench/correlate.sh, in time order.

A realistic mix: singletons (IDS hits with only addresses), EDR alerts keyed by host and user,
phishing waves (one sender and URL to 20 mailboxes), infections (one host, a C2 domain and IP,
five alerts from three products), botnets (40 hosts on one C2), and a hub: a software-update
domain on a quarter of all alerts, which must be cut or it would merge the day.
    correlate_gen.py OUT.jsonl [N]
"""
import random
import sys

out_path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
rng = random.Random(1)
T0 = 1796256000  # 2026-12-03T00:00:00Z
DAY = 86400


def ts(sec):
    s = int(sec)
    ms = int((sec - s) * 1000)
    h, m, x = (s % DAY) // 3600, (s % 3600) // 60, s % 60
    return "2026-12-03T%02d:%02d:%02d.%03dZ" % (h, m, x, ms)


def obs(items):
    return ",".join('{"type":"%s","value":"%s","role":"%s"}' % i for i in items)


events = []
counter = [0]


def add(sec, product, cls, sev, message, items):
    if rng.random() < 0.25:
        items = items + [("domain", "update.vendor.example", "related")]
    counter[0] += 1
    events.append((sec, counter[0], product, cls, sev, message, items))


n_phish = n * 4 // 100 // 20
n_inf = n * 25 // 1000 // 5
n_bot = max(1, n * 2 // 1000 // 40)
n_edr = n * 30 // 100
for w in range(n_phish):
    start = rng.uniform(0, DAY - 3600)
    sender = "invoice%d@lure%d.example" % (w, w % 97)
    url = "https://lure%d.example/p/%d" % (w % 97, w)
    for r in range(20):
        add(start + r * 60, "Proofpoint TAP", "phish", 50, "Phish: invoice lure",
            [("email", sender, "attacker"), ("url", url, "attacker"),
             ("email", "user%d@corp.example" % rng.randrange(20000), "victim")])
for k in range(n_inf):
    start = rng.uniform(0, DAY - 3600)
    host = "wks-%05d" % rng.randrange(20000)
    c2 = "c2-%d.evil.example" % k
    ip = "198.18.%d.%d" % (k // 250 % 250, k % 250)
    for s in range(5):
        add(start + s * 300, ["Suricata", "Zscaler", "CAPE"][s % 3], "c2", 75,
            "ET MALWARE CnC beacon",
            [("ip", ip, "attacker"), ("domain", c2, "attacker"), ("domain", host, "victim")])
for b in range(n_bot):
    start = rng.uniform(0, DAY - 7200)
    for h in range(40):
        add(start + h * 120, "Suricata", "c2", 75, "ET MALWARE Emotet CnC",
            [("ip", "192.0.2.%d" % (b % 250), "attacker"),
             ("domain", "wks-b%d-%d" % (b, h), "victim")])
for e in range(n_edr):
    host = rng.randrange(20000)
    add(rng.uniform(0, DAY), "CrowdStrike", "malware", 50, "EDR: suspicious process",
        [("domain", "wks-%05d" % host, "victim"), ("user", "u%d" % host, "victim"),
         ("sha256", "%064x" % rng.getrandbits(40), "attacker")])
while counter[0] < n:
    add(rng.uniform(0, DAY), "Suricata", "scan", 25, "ET SCAN probe",
        [("ip", "203.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(256)),
          "attacker"), ("ip", "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256),
                                               rng.randrange(256)), "victim")])
events.sort()
with open(out_path, "w") as f:
    for sec, i, product, cls, sev, message, items in events[:n]:
        f.write('{"kind":"alert","id":"a-%016x","@timestamp":"%s","event":{"severity":%d,'
                '"category":["intrusion_detection"]},"observer":{"vendor":"x","product":"%s"},'
                '"message":"%s","threat":{"classification":"%s"},"tr":{"observables":[%s],'
                '"score":%d,"priority":"P3"}}\n'
                % (i, ts(T0 + sec), sev, product, message, cls, obs(items), sev))
