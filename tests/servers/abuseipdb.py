#!/usr/bin/env python3
"""An AbuseIPDB v2 stand-in (integrations.md C5): GET /api/v2/check?ipAddress=&maxAgeInDays=
with the Key and Accept: application/json headers (the /api/v2 prefix is optional).

Scenarios: ok; 429 (the first request gets 429 with Retry-After: 1 and X-RateLimit-* headers).
"""
from harness import Handler, parser, serve

REPORTED = {"203.0.113.7": (100, 312, "NL", "Data Center/Web Hosting/Transit", "Example Hosting"),
            "198.51.100.9": (30, 4, "DE", "Fixed Line ISP", "Example ISP")}


class AbuseIPDB(Handler):
    def route(self, method, path, query, headers, body):
        if self.options.scenario == "429":
            with Handler.lock:
                n = Handler.state.get("n", 0)
                Handler.state["n"] = n + 1
            if n < 1:
                return 429, {"Retry-After": "1", "X-RateLimit-Limit": "1000",
                             "X-RateLimit-Remaining": "0"}, {
                    "errors": [{"detail": "Daily rate limit of 1000 requests exceeded.", "status": 429}]}
        if not headers.get("Key"):
            return 401, {}, {"errors": [{"detail": "Authentication failed.", "status": 401}]}
        if path not in ("/api/v2/check", "/check") or "ipAddress" not in query:
            return 422, {}, {"errors": [{"detail": "The ip address field is required.", "status": 422}]}
        ip = query["ipAddress"][0]
        score, reports, cc, usage, isp = REPORTED.get(ip, (0, 0, "US", "Content Delivery Network", "Example CDN"))
        return 200, {}, {"data": {"ipAddress": ip, "isPublic": True, "ipVersion": 4,
                                  "isWhitelisted": False, "abuseConfidenceScore": score,
                                  "countryCode": cc, "usageType": usage, "isp": isp,
                                  "domain": "hosting.example", "hostnames": [], "isTor": False,
                                  "totalReports": reports, "numDistinctUsers": reports // 3,
                                  "lastReportedAt": "2026-12-03T10:41:00+00:00"}}


if __name__ == "__main__":
    serve(AbuseIPDB, parser(__doc__).parse_args())
