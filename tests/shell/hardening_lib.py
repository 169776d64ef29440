"""Helpers for the hardening tests (tests/shell/hardening_*.sh, issue 9).

Runs the built tools with exact bytes (subprocess, never a shell), starts the fake vendor
servers of tests/servers/, runs a command on a pseudo-terminal, and scans output for bytes that
must never reach a terminal, a device or a file raw. Findings are collected, printed, and make
the test fail at the end (all findings at once, not the first).
"""
import json
import os
import pty
import re
import select
import subprocess
import sys
import time

SRC = os.environ.get("TR_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
TMP = os.environ["T"]
HOME = os.environ["HOME"]
SERVERS = os.path.join(SRC, "tests/servers")

findings = []
_servers = []


def finding(where, what):
    findings.append(f"{where}: {what}")


def finish(name):
    for p in _servers:
        p.kill()
    if findings:
        print(f"FAIL: {name}: {len(findings)} finding(s)", file=sys.stderr)
        for f in findings[:200]:
            print("  " + f, file=sys.stderr)
        sys.exit(1)
    print(f"ok: {name}")


def load_values():
    """The shared hostile corpus: [(id, bytes)]."""
    out = []
    with open(os.path.join(SRC, "tests/fixtures/hostile/values.jsonl"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            o = json.loads(line)
            if "value_hex" in o:
                out.append((o["id"], bytes.fromhex(o["value_hex"])))
            else:
                out.append((o["id"], o["value"].encode("utf-8")))
    return out


def run(argv, stdin=b"", env=None, timeout=60):
    """Runs argv (bytes or str items) without a shell; returns (rc, stdout, stderr)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(argv, input=stdin, capture_output=True, env=e, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def run_pty(argv, env=None, timeout=30, stdout_too=True):
    """Runs argv with stderr (and stdout unless not stdout_too: JSON data then goes to a
    pipe) on a pseudo-terminal, the analyst's terminal."""
    e = dict(os.environ)
    if env:
        e.update(env)
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=slave if stdout_too else subprocess.DEVNULL, stderr=slave,
                             env=e, close_fds=True)
    except FileNotFoundError:
        os.close(master)
        os.close(slave)
        finding(str(argv[0]), "not found")
        return 127, b""
    os.close(slave)
    out = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            # drain what is left
            try:
                while True:
                    r, _, _ = select.select([master], [], [], 0.05)
                    if not r:
                        break
                    chunk = os.read(master, 65536)
                    if not chunk:
                        break
                    out += chunk
            except OSError:
                pass
            break
    os.close(master)
    rc = p.wait(timeout=5)
    return rc, out


def start_server(script, *args):
    """Starts tests/servers/SCRIPT; returns (url, log path)."""
    log = os.path.join(TMP, f"{script}-{len(_servers)}.log")
    open(log, "w").close()
    p = subprocess.Popen([sys.executable, os.path.join(SERVERS, script), "--log", log,
                          "--lifetime", "300", *args], stdout=subprocess.PIPE)
    _servers.append(p)
    line = p.stdout.readline().decode().strip()
    assert line.startswith("PORT "), line
    return f"http://127.0.0.1:{line[5:]}", log


def server_requests(log):
    with open(log, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


# Bytes a terminal acts on: C0 controls but tab and newline, DEL, C1 controls (as UTF-8 and as
# raw bytes, which a terminal in an 8-bit locale reads as CSI), and the bidi controls that
# reorder what the analyst reads (LRE..RLO, LRI..PDI, LRM, RLM, ALM).
TERMINAL_BAD = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
    rb"|\xd8\x9c")


def invalid_utf8(b):
    try:
        b.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


# Sequences only a hostile value can bring (the corpus's ESC[31mRED, clear screen, OSC title).
HOSTILE_ESCAPES = (b"\x1b[31mRED", b"\x1b[2J", b"\x1b]0;", b"\x9b31m")
TOOL_SGR = re.compile(rb"\x1b\[[0-9;]*m")


def check_terminal_bytes(where, data, allow_cr=False):
    """No byte sequence a terminal would act on, and valid UTF-8. On a terminal (allow_cr) the
    tool's own colours (SGR) are allowed, but never the corpus's escape sequences."""
    d = data.replace(b"\r\n", b"\n") if allow_cr else data
    if allow_cr:
        for h in HOSTILE_ESCAPES:
            if h in d:
                finding(where, f"a hostile escape sequence {h!r} reached the terminal raw")
        d = TOOL_SGR.sub(b"", d)
    m = TERMINAL_BAD.search(d)
    if m:
        ctx = d[max(0, m.start() - 30):m.end() + 30]
        finding(where, f"raw control/bidi byte {m.group(0)!r} in {ctx!r}")
    if invalid_utf8(d):
        finding(where, "invalid UTF-8 reaches the output")
