#!/usr/bin/env python3
"""A VirusTotal API v3 stand-in (integrations.md C1): GET /api/v3/files/{hash},
/domains/{domain}, /ip_addresses/{ip}, /urls/{base64url id}, with the x-apikey header. The
/api/v3 prefix is optional, so a test can use the bare server URL as the base.

Scenarios (--scenario):
  ok        known objects answer 200 with last_analysis_stats, others 404 NotFoundError
  detected  like ok, and every hash that ok calls unknown is now malicious (for recheck)
  429       the first two requests get 429 QuotaExceededError with Retry-After: 1
  slow      every answer comes after 3 seconds (clients with a shorter timeout fail)
  down      every request gets 503 TransientError
  together  requests are held until three are in flight at once, then answered as ok; a
            request that waits 2 s alone breaks the rendezvous and every request from then
            on gets 503 (a client that asks per alert, one at a time, fails this scenario)
"""
import base64
import threading
import time

from harness import Handler, parser, serve

KNOWN = {
    "files": {
        # The EICAR test file.
        "44d88612fea8a8f36de82e1f5c3ad4aa": (62, 0, 0, 10),
        "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f": (62, 0, 0, 10),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855": (0, 0, 0, 70),
    },
    "domains": {"bad.example": (7, 1, 60, 20), "good.example": (0, 0, 70, 20)},
    "ip_addresses": {"203.0.113.7": (3, 1, 60, 25), "198.51.100.9": (0, 0, 70, 20)},
    "urls": {"http://payload.example/a.exe": (12, 2, 50, 20)},
}
TYPES = {"files": "file", "domains": "domain", "ip_addresses": "ip_address", "urls": "url"}


def error(status, code, message):
    return status, {}, {"error": {"code": code, "message": message}}


class VirusTotal(Handler):
    def route(self, method, path, query, headers, body):
        opts = self.options
        if opts.scenario == "slow":
            time.sleep(3)
        if opts.scenario == "down":
            return error(503, "TransientError", "try again later")
        if opts.scenario == "together":
            with Handler.lock:
                barrier = Handler.state.setdefault("barrier", threading.Barrier(3))
            try:
                barrier.wait(timeout=2)
            except threading.BrokenBarrierError:
                return error(503, "TransientError", "asked alone: not batched")
        if opts.scenario == "429":
            with Handler.lock:
                n = Handler.state.get("n", 0)
                Handler.state["n"] = n + 1
            if n < 2:
                s, h, b = error(429, "QuotaExceededError", "quota exceeded")
                return s, {"Retry-After": "1"}, b
        if not headers.get("x-apikey"):
            return error(401, "AuthenticationRequiredError", "X-Apikey header is missing")
        if headers.get("x-apikey") == "wrong":
            return error(401, "WrongCredentialsError", "wrong API key")
        if path.startswith("/api/v3/"):
            path = path[len("/api/v3"):]
        parts = path.split("/")
        if method != "GET" or len(parts) != 3 or parts[1] not in KNOWN:
            return error(400, "BadRequestError", "unsupported request")
        kind, ident = parts[1], parts[2]
        key = ident
        if kind == "urls":
            try:
                key = base64.urlsafe_b64decode(ident + "=" * (-len(ident) % 4)).decode()
            except Exception:
                return error(400, "InvalidArgumentError", "bad url id")
        stats = KNOWN[kind].get(key)
        if stats is None and opts.scenario == "detected" and kind == "files":
            stats = (41, 2, 0, 27)
        if stats is None:
            return error(404, "NotFoundError", f'"{ident}" not found')
        mal, sus, harm, und = stats
        attrs = {
            "last_analysis_stats": {"harmless": harm, "malicious": mal, "suspicious": sus,
                                    "undetected": und, "timeout": 0},
            "reputation": -mal,
            "last_analysis_date": 1764700000,
        }
        return 200, {}, {"data": {"id": ident, "type": TYPES[kind],
                                  "links": {"self": f"https://www.virustotal.com/api/v3/{kind}/{ident}"},
                                  "attributes": attrs}}


if __name__ == "__main__":
    serve(VirusTotal, parser(__doc__).parse_args())
