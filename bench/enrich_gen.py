#!/usr/bin/env python3
"""Generates the tr-enrich benchmark data under a folder: alerts.jsonl (N alerts shaped like
tr-ingest output), users.csv, assets.csv and blocklist.txt (M entries: IPs, networks, domains,
URLs, hashes). Deterministic (seeded)."""
import random
import sys

out, n_alerts, n_block = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(7)

with open(f"{out}/users.csv", "w") as f:
    f.write("user,email,display_name,title,department,groups,manager,vip\n")
    for i in range(5000):
        title = "CFO" if i == 7 else ("Engineer" if i % 3 else "Accountant")
        f.write(f"u{i},u{i}@corp.example,User {i},{title},Dept{i%20},Staff;G{i%50},u{i//10},{'yes' if i%500==0 else ''}\n")

with open(f"{out}/assets.csv", "w") as f:
    f.write("host,ips,owner,business_unit,criticality,role\n")
    for i in range(5000):
        crit = ["low", "medium", "high", "critical"][i % 4]
        f.write(f"wks-{i},10.{i//250}.{i%250}.{10},u{i},BU{i%7},{crit},workstation\n")
    for i in range(100):
        f.write(f"net-{i},10.{100+i}.0.0/16,,BU,low,office-lan\n")

with open(f"{out}/blocklist.txt", "w") as f:
    f.write("# generated blocklist\n")
    for i in range(n_block):
        k = i % 10
        if k < 5:
            f.write(f"{(i*7919)%223+1}.{(i>>8)&255}.{i&255}.{(i*31)&255}\n")
        elif k < 6:
            f.write(f"{(i*13)%223+1}.{(i>>4)&255}.{i&255}.0/24 ; SBL{i}\n")
        elif k < 9:
            f.write(f"bad{i}.example\n")
        else:
            f.write(f"http://bad{i}.example/p/{i}\n")

sev = [25, 50, 75, 100]
cls = ["c2", "malware", "scan", "phish", "policy", "exploit"]
with open(f"{out}/alerts.jsonl", "w") as f:
    for i in range(n_alerts):
        src = f"10.{(i//250)%20}.{i%250}.10"
        dst = f"{(i*7919)%223+1}.{(i>>8)&255}.{i&255}.{(i*31)&255}" if i % 4 == 0 else f"81.2.69.{i%256}"
        dom = f"bad{i%100000}.example" if i % 5 == 0 else f"cdn{i%1000}.good.example"
        f.write(
            '{"kind":"alert","id":"a-%016x","@timestamp":"2026-12-03T11:58:02.114Z",'
            '"event":{"dataset":"suricata.eve","severity":%d,"action":"allowed","category":["intrusion_detection"],"ingested":"2026-12-03T12:00:00.000Z"},'
            '"observer":{"vendor":"OISF","product":"Suricata","type":"ids","hostname":"sensor-1"},'
            '"rule":{"id":"2024897","name":"ET MALWARE Win32/Emotet CnC Activity","category":"A Network Trojan was detected"},'
            '"message":"ET MALWARE Win32/Emotet CnC Activity","source":{"ip":"%s","port":49822},'
            '"destination":{"ip":"%s","port":443,"domain":"%s"},"user":{"name":"u%d"},"host":{"name":"wks-%d"},'
            '"threat":{"classification":"%s"},"related":{"ip":["%s","%s"],"hosts":["%s"]},'
            '"tr":{"observables":[{"type":"ip","value":"%s","role":"attacker"},{"type":"ip","value":"%s","role":"victim"},'
            '{"type":"domain","value":"%s","role":"attacker"}]}}\n'
            % (i, sev[i % 4], src, dst, dom, i % 6000, i % 5000, cls[i % 6], src, dst, dom, dst, src, dom))
