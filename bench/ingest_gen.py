#!/usr/bin/env python3
"""Generates N Suricata EVE alert lines and N CEF lines for bench/ingest.sh.

Lines vary in addresses, ports, signatures and application context (http, tls, dns,
fileinfo), the way a busy sensor's eve.json does; sizes are close to real alerts (~700-900
bytes for EVE, ~350 for CEF). Deterministic (seeded)."""
import json
import random
import sys

out_dir, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
sigs = [
    (2024897, "ET MALWARE Win32/Emotet CnC Activity", "A Network Trojan was detected", 1),
    (2034647, "ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)",
     "Attempted Administrator Privilege Gain", 1),
    (2027865, "ET INFO Observed DNS Query to .top TLD", "Potentially Bad Traffic", 2),
    (2014520, "ET INFO EXE - Served Attached HTTP", "Misc activity", 3),
    (2001219, "ET SCAN Potential SSH Scan", "Attempted Information Leak", 2),
]


def ip_private():
    return f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"


def ip_public():
    return f"{rnd.choice([198, 203, 185, 45])}.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"


with open(f"{out_dir}/eve.json", "w") as eve, open(f"{out_dir}/cef.log", "w") as cef:
    for i in range(n):
        sid, sig, cat, sev = sigs[i % len(sigs)]
        src, dst = ip_private(), ip_public()
        sp, dp = rnd.randrange(1024, 65535), rnd.choice([80, 443, 53, 8080, 22])
        ts = f"2026-12-03T{i // 3600000 % 24:02d}:{i // 60000 % 60:02d}:{i // 1000 % 60:02d}.{i % 1000:03d}512+0000"
        ev = {"timestamp": ts, "flow_id": rnd.randrange(1 << 62), "in_iface": "eth1",
              "event_type": "alert", "src_ip": src, "src_port": sp, "dest_ip": dst,
              "dest_port": dp, "proto": "TCP" if dp != 53 else "UDP",
              "community_id": "1:" + "%024x" % rnd.randrange(1 << 96) + "=", "tx_id": 0,
              "alert": {"action": "allowed", "gid": 1, "signature_id": sid, "rev": 3,
                        "signature": sig, "category": cat, "severity": sev,
                        "metadata": {"signature_severity": ["Major"], "created_at": ["2021_12_10"]}},
              "flow": {"pkts_toserver": rnd.randrange(1, 50), "pkts_toclient": rnd.randrange(1, 50),
                       "bytes_toserver": rnd.randrange(100, 9000), "bytes_toclient": rnd.randrange(100, 90000),
                       "start": ts}}
        host = f"h{rnd.randrange(100000)}.evil.example"
        kind = i % 4
        if kind == 0:
            ev["app_proto"] = "http"
            ev["http"] = {"hostname": host, "url": f"/gate.php?id={rnd.randrange(1 << 32)}",
                          "http_user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
                          "http_method": "POST", "protocol": "HTTP/1.1", "status": 200, "length": 512}
        elif kind == 1:
            ev["app_proto"] = "tls"
            ev["tls"] = {"subject": f"CN={host}", "issuerdn": f"CN={host}", "sni": host,
                         "version": "TLS 1.2", "ja3": {"hash": "%032x" % rnd.randrange(1 << 128)}}
        elif kind == 2:
            ev["app_proto"] = "dns"
            ev["dns"] = {"query": [{"type": "query", "id": rnd.randrange(65536), "rrname": host,
                                    "rrtype": "A", "tx_id": 0}]}
        else:
            ev["app_proto"] = "http"
            ev["http"] = {"hostname": host, "url": "/invoice.exe", "http_method": "GET", "status": 200}
            ev["fileinfo"] = {"filename": "/invoice.exe", "magic": "PE32 executable", "state": "CLOSED",
                              "sha256": "%064x" % rnd.randrange(1 << 256), "size": rnd.randrange(1 << 20),
                              "stored": False}
        eve.write(json.dumps(ev, separators=(",", ":")) + "\n")
        cef.write(
            f"<134>Dec  3 11:58:02 fw-{i % 7} CEF:0|Acme|NGFW|7.1|{sid}|{sig}|{8 - 2 * sev}|"
            f"rt={1796299200000 + i} src={src} spt={sp} dst={dst} dpt={dp} proto=TCP act=blocked "
            f"suser=CORP\\\\user{i % 500} request=https://{host}/gate.php?a\\=1 cs1Label=policy cs1=Edge "
            f"cn1Label=risk cn1={i % 100} externalId={i} msg=blocked by policy\\nsecond line\n")
