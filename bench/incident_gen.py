#!/usr/bin/env python3
"""Generates tr-correlate-shaped output for bench/incident.sh: for each incident its alerts
(with tr.incident) and then the incident record, in CHUNKS files (imported with the clock
moved on between them so incidents are spread over time).
    incident_gen.py DIR INCIDENTS ALERTS_PER_INCIDENT CHUNKS"""
import json, random, sys

out, n_inc, per, chunks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(42)
users = ["user%04d" % i for i in range(2000)]
depts = ["Finance", "Sales", "HR", "Engineering", "Legal", "IT", "Marketing", "Support"]
hosts = ["wks-%04d" % i for i in range(3000)]
rules = ["ET MALWARE Win32/Emotet CnC Activity", "ET POLICY TOR exit", "Phishing URL clicked",
         "ET SCAN Nmap", "Credential stuffing", "ET TROJAN QakBot C2"]
cls = ["c2", "policy", "phish", "scan", "other", "malware"]
files = [open(f"{out}/chunk{c}.jsonl", "w") for c in range(chunks)]
for i in range(n_inc):
    f = files[i * chunks // n_inc]
    iid = "i-%016x" % (i + 1)
    user, dept, host = rnd.choice(users), rnd.choice(depts), rnd.choice(hosts)
    r = rnd.randrange(len(rules))
    prio = rnd.choice(["P1", "P2", "P2", "P3", "P3", "P3", "P4"])
    ids = []
    day = 1 + (i * chunks // n_inc) * 6
    for k in range(per):
        aid = "a-%08x%08x" % (i, k)
        ids.append(aid)
        ts = "2026-10-%02dT%02d:%02d:%02d.000Z" % (min(day, 28), rnd.randrange(24), rnd.randrange(60), k % 60)
        attacker = "203.0.%d.%d" % (rnd.randrange(256), rnd.randrange(256))
        f.write(json.dumps({
            "kind": "alert", "id": aid, "@timestamp": ts,
            "event": {"dataset": "suricata.eve", "severity": 75},
            "observer": {"vendor": "OISF", "product": "Suricata"},
            "rule": {"id": str(2024000 + r), "name": rules[r]}, "message": rules[r],
            "source": {"ip": "10.1.%d.%d" % (i % 250, k)}, "destination": {"ip": attacker, "port": 443},
            "user": {"name": user}, "host": {"name": host},
            "threat": {"classification": cls[r]},
            "tr": {"observables": [{"type": "ip", "value": attacker, "role": "attacker"},
                                   {"type": "user", "value": user, "role": "victim"}],
                   "score": 60, "priority": prio, "incident": iid}},
            separators=(",", ":")) + "\n")
    f.write(json.dumps({
        "kind": "incident", "id": iid, "title": "%s on %s" % (rules[r], host), "status": "new",
        "severity": 75, "priority": prio, "first_seen": "2026-10-%02dT00:00:00.000Z" % min(day, 28),
        "last_seen": "2026-10-%02dT23:59:00.000Z" % min(day, 28), "alerts": ids,
        "alert_count": per, "observables": [], "links": [],
        "targets": {"users": [user], "hosts": [host], "departments": [dept], "groups": []},
        "tags": [], "sources": ["Suricata"], "classification": [cls[r]]},
        separators=(",", ":")) + "\n")
for f in files:
    f.close()
