#!/usr/bin/env python3
"""Generates the tr-ioc-check benchmark data: N mixed indicators (a plain list, one value a
line, as grep -F -f takes it) and M artifact records, of which about 1% carry an indicator.

    ioc_gen.py OUTDIR N M
writes OUTDIR/iocs.txt, OUTDIR/artifacts.jsonl.
"""
import json, random, sys

out, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)


def ioc(i):
    k = i % 8
    if k == 0:
        return f"{11 + (i >> 24) % 200}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
    if k == 1:
        return f"{100 + (i >> 16) % 100}.{(i >> 8) & 255}.{i & 255}.0/24"
    if k == 2:
        return f"host{i}.evil{i % 997}.example"
    if k == 3:
        return "%064x" % (i * 2654435761 % (1 << 256))
    if k == 4:
        return "%032x" % (i * 40503 % (1 << 128))
    if k == 5:
        return f"dropper{i}.exe"
    if k == 6:
        return f"http://cdn{i}.bad{i % 991}.example/p/{i}.php"
    return "%040x" % (i * 11400714819323198485 % (1 << 160))


values = [ioc(i) for i in range(n)]
with open(f"{out}/iocs.txt", "w") as f:
    for v in values:
        f.write(v + "\n")

with open(f"{out}/artifacts.jsonl", "w") as f:
    for j in range(m):
        host = f"wks-{j % 1000:04d}"
        hit = rnd.random() < 0.01
        t = j % 4
        if t == 0:
            ip = values[rnd.randrange(0, n, 8)] if hit else f"198.18.{(j >> 8) & 255}.{j & 255}"
            rec = {"kind": "artifact", "host": host, "type": "connection", "pid": j % 65536,
                   "local_address": "10.0.0.5", "local_port": 50000 + j % 10000,
                   "remote_address": ip, "remote_port": 443}
        elif t == 1:
            sha = values[rnd.randrange(3, n, 8)] if hit else "%064x" % (j * 0x9E3779B97F4A7C15 % (1 << 256) + 1)
            rec = {"kind": "artifact", "host": host, "type": "process", "pid": j % 65536,
                   "name": f"proc{j % 5000}.exe", "path": f"C:\\Program Files\\App{j % 300}\\proc{j % 5000}.exe",
                   "cmdline": f"proc{j % 5000}.exe --job {j}", "sha256": sha}
        elif t == 2:
            name = values[rnd.randrange(2, n, 8)] if hit else f"www{j}.good{j % 313}.example"
            rec = {"kind": "artifact", "host": host, "type": "dns", "name": name}
        else:
            fname = values[rnd.randrange(5, n, 8)] if hit else f"report{j}.pdf"
            rec = {"kind": "artifact", "host": host, "type": "file", "path": f"C:\\Users\\u{j % 100}\\Downloads\\{fname}",
                   "filename": fname, "md5": "%032x" % (j * 7919 + 3), "mtime": 1796299200}
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
