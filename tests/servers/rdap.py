#!/usr/bin/env python3
"""An RDAP stand-in (integrations.md C2): the IANA bootstrap file at /dns.json naming this
server for the "example", "test" and "uk" TLDs (also at /), and /rdap/domain/{name} answering as a registry
does (application/rdap+json; events with the registration date; a registrar entity with a
vCard). Unknown names get 404. Scenario "html": the domain answers are an HTML error page.
"""
from harness import Handler, parser, serve

DOMAINS = {
    "evil.example": "2026-11-30T08:12:44Z",   # three days before TR_NOW
    "old.example": "2001-05-14T00:00:00Z",
    "bad.example": "2026-11-01T00:00:00Z",
    "shop.co.uk": "2026-12-01T10:00:00Z",      # a registrable name under a public suffix
}


class Rdap(Handler):
    def route(self, method, path, query, headers, body):
        port = self.server.server_address[1]
        if path in ("/", "/dns.json"):
            return 200, {}, {"version": "1.0", "publication": "2026-11-28T00:00:00Z",
                             "services": [[["example", "test", "uk"], [f"http://127.0.0.1:{port}/rdap/"]],
                                          [["com", "net"], ["https://rdap.verisign.invalid/com/v1/"]]]}
        if not path.startswith("/rdap/domain/"):
            return 404, {}, {"errorCode": 404, "title": "Not Found"}
        if self.options.scenario == "html":
            return 500, {"Content-Type": "text/html"}, "<html><body>Internal error</body></html>"
        name = path[len("/rdap/domain/"):].lower()
        if name not in DOMAINS:
            return 404, {"Content-Type": "application/rdap+json"}, {"errorCode": 404, "title": "Not Found"}
        return 200, {"Content-Type": "application/rdap+json"}, {
            "objectClassName": "domain", "ldhName": name.upper(), "handle": "1_DOMAIN_EXAMPLE",
            "status": ["client transfer prohibited"],
            "events": [{"eventAction": "registration", "eventDate": DOMAINS[name]},
                       {"eventAction": "expiration", "eventDate": "2027-11-30T08:12:44Z"}],
            "entities": [{"objectClassName": "entity", "roles": ["registrar"], "handle": "9999",
                          "vcardArray": ["vcard", [["version", {}, "text", "4.0"],
                                                   ["fn", {}, "text", "Example Registrar, Inc."]]]}]}


if __name__ == "__main__":
    serve(Rdap, parser(__doc__).parse_args())
