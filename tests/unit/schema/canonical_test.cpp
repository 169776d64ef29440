// Canonical forms that make two spellings of one indicator one key (issue 9): a block or an
// IOC that misses "EVIL.example." or "::ffff:203.0.113.7" is a hole.
#include <catch2/catch.hpp>

#include "schema/observable.hpp"

using namespace tr;

TEST_CASE("domains: case and trailing dot", "[schema]") {
  CHECK(canonical_domain("EVIL.example.") == "evil.example");
  CHECK(canonical_domain("evil.example") == "evil.example");
  CHECK(canonical("domain", " Evil.Example. ") == "evil.example");
  CHECK_FALSE(canonical_domain("evil.example.."));
  CHECK_FALSE(canonical_domain("."));
}

TEST_CASE("domains: internationalised names compare in punycode", "[schema]") {
  CHECK(canonical_domain("bücher.example") == "xn--bcher-kva.example");
  CHECK(canonical_domain("BÜCHER.EXAMPLE.") == "xn--bcher-kva.example");
  CHECK(canonical_domain("XN--BCHER-KVA.example") == "xn--bcher-kva.example");
  CHECK(canonical_domain("_dmarc.bücher.example") == "_dmarc.xn--bcher-kva.example");
  // Full-width ideographic full stop is a label separator under UTS #46.
  CHECK(canonical_domain("bücher\xE3\x80\x82" "example") == "xn--bcher-kva.example");
  // Non-transitional: the sharp s is its own name, as browsers resolve it.
  CHECK(canonical_domain("faß.de") == "xn--fa-hia.de");
  CHECK(canonical_domain("faß.de") != canonical_domain("fass.de"));
  // Emoji names (registered under IDNA2003, resolved by browsers through UTS #46).
  CHECK(canonical_domain("i\xE2\x9D\xA4.ws") == "xn--i-7iq.ws");
  CHECK(canonical_domain("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3.example") == "abc.example");  // full-width
  // A homograph stays a different name (Cyrillic а), now visibly so.
  CHECK(canonical_domain("\xD0\xB0pple.com") == "xn--pple-43d.com");
  CHECK(canonical_domain("\xD0\xB0pple.com") != canonical_domain("apple.com"));
}

TEST_CASE("domains: hostile IDN text has no canonical form", "[schema]") {
  CHECK_FALSE(canonical_domain("evil\xE2\x80\xAE" "elpmaxe.com"));  // U+202E RIGHT-TO-LEFT OVERRIDE
  CHECK_FALSE(canonical_domain("evil\xE2\x81\xA6.example"));        // U+2066 LEFT-TO-RIGHT ISOLATE
  CHECK_FALSE(canonical_domain("b\xC3\xBC\xFF" "cher.example"));    // invalid UTF-8
  CHECK_FALSE(canonical_domain("bücher..example"));
  CHECK_FALSE(canonical_domain("bücher.example\n"));
  CHECK_FALSE(canonical_domain(std::string(300, 'a') + "ü.example"));
}

TEST_CASE("IPs: IPv4-mapped IPv6 is the IPv4 address", "[schema]") {
  CHECK(canonical_ip("::ffff:203.0.113.7") == "203.0.113.7");
  CHECK(canonical_ip("::FFFF:cb00:7107") == "203.0.113.7");
  CHECK(canonical_ip("0:0:0:0:0:ffff:203.0.113.7") == "203.0.113.7");
  CHECK(canonical_ip("[::ffff:203.0.113.7]") == "203.0.113.7");
  CHECK(canonical_cidr("::ffff:10.0.0.0/104") == "10.0.0.0/8");
  CHECK(canonical_cidr("::ffff:203.0.113.7") == "203.0.113.7/32");
  CHECK_FALSE(canonical_cidr("::ffff:10.0.0.0/64"));
  // IPv4-compatible (deprecated) and NAT64 addresses are other addresses: kept IPv6.
  CHECK(canonical_ip("64:ff9b::203.0.113.7") == "64:ff9b::cb00:7107");
}

TEST_CASE("IPs: IPv6 takes its RFC 5952 text form", "[schema]") {
  CHECK(canonical_ip("2001:0DB8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");
  CHECK(canonical_ip("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");  // first longest run
  CHECK(canonical_ip("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");  // no "::" for one group
  CHECK(canonical_ip("2001:db8::0:1") == "2001:db8::1");
  CHECK(canonical_ip("0:0:0:0:0:0:0:0") == "::");
  CHECK(canonical_ip("2001:DB8::A:B") == "2001:db8::a:b");
  CHECK_FALSE(canonical_ip("2001:db8:::1"));
  CHECK_FALSE(canonical_ip("2001:db8::1::2"));
  CHECK_FALSE(canonical_ip("12345::1"));
}

TEST_CASE("IPs: zone ids are dropped on scoped addresses and refused elsewhere", "[schema]") {
  CHECK(canonical_ip("fe80::1%eth0") == "fe80::1");
  CHECK(canonical_ip("FE80::1%12") == "fe80::1");
  CHECK(canonical_ip("ff02::1%en0") == "ff02::1");
  CHECK(canonical_ip("[fe80::1%eth0]") == "fe80::1");
  CHECK_FALSE(canonical_ip("2001:db8::1%eth0"));     // a global address has no zone
  CHECK_FALSE(canonical_ip("203.0.113.7%eth0"));     // nor has IPv4
  CHECK_FALSE(canonical_ip("fe80::1%"));
  CHECK_FALSE(canonical_ip("fe80::1%eth0;reboot"));  // not an interface name
  CHECK_FALSE(canonical_ip("fe80::1%$(id)"));
  CHECK_FALSE(canonical_ip("fe80::1%averyveryverylonginterfacename"));
}

TEST_CASE("URLs: scheme and host case, IDN host, default ports", "[schema]") {
  CHECK(canonical_url("HTTP://EVIL.Example./Gate.php") == "http://evil.example/Gate.php");
  CHECK(canonical_url("https://evil.example:443/x") == "https://evil.example/x");
  CHECK(canonical_url("http://evil.example:80/x") == "http://evil.example/x");
  CHECK(canonical_url("http://evil.example:080/x") == "http://evil.example/x");
  CHECK(canonical_url("http://evil.example:8080/x") == "http://evil.example:8080/x");
  CHECK(canonical_url("https://evil.example:80/x") == "https://evil.example:80/x");
  CHECK(canonical_url("http://evil.example:/x") == "http://evil.example/x");
  CHECK(canonical_url("ftp://evil.example:21/f") == "ftp://evil.example/f");
  CHECK(canonical_url("http://bücher.example/") == "http://xn--bcher-kva.example/");
  CHECK(canonical_url("http://[::ffff:203.0.113.7]:80/x") == "http://203.0.113.7/x");
  CHECK(canonical_url("http://[2001:DB8::1]:8443/x") == "http://[2001:db8::1]:8443/x");
  CHECK(canonical_url("http://evil.example") == "http://evil.example/");
  CHECK(canonical_url("http://evil.example?q=1") == "http://evil.example/?q=1");
  CHECK(canonical_url("http://User@EVIL.example/") == "http://User@evil.example/");
  CHECK(canonical_url("http://evil.example:99999/") == "http://evil.example:99999/");  // as given
  CHECK(canonical_url("http://EVIL.example:8o/") == "http://EVIL.example:8o/");
}

TEST_CASE("URLs: percent-encoding normalised without changing path semantics", "[schema]") {
  CHECK(canonical_url("http://evil.example/%7Euser/%61dmin") == "http://evil.example/~user/admin");
  CHECK(canonical_url("http://evil.example/a%2fb") == "http://evil.example/a%2Fb");  // stays escaped
  CHECK(canonical_url("http://evil.example/a%2Fb") != canonical_url("http://evil.example/a/b"));
  CHECK(canonical_url("http://evil.example/a/../b") == "http://evil.example/a/../b");
  CHECK(canonical_url("http://evil.example/a+b?x=%3d%3D") == "http://evil.example/a+b?x=%3D%3D");
  CHECK(canonical_url("http://evil.example/b\xC3\xBC" "ch") == "http://evil.example/b%C3%BCch");
  CHECK(canonical_url("http://evil.example/a b") == "http://evil.example/a%20b");
  CHECK(canonical_url("http://evil.example/100%") == "http://evil.example/100%");
  CHECK(canonical_url("http://%65vil.example/") == "http://evil.example/");
  CHECK_FALSE(canonical_url("http://evil.example/\x1b[31m"));
  CHECK_FALSE(canonical_url("http://evil.example/\xFF"));
}

TEST_CASE("URLs: what cannot be parsed is kept as given", "[schema]") {
  CHECK(canonical_url("evil.example/gate.php") == "evil.example/gate.php");
  CHECK(canonical_url("mailto:a@b.example") == "mailto:a@b.example");
  CHECK(canonical_url("hxxp://evil[.]example/x") == "hxxp://evil[.]example/x");
  CHECK(canonical("url", "HTTP://Evil.Example:80") == "http://evil.example/");
}

TEST_CASE("canonical forms are idempotent", "[schema]") {
  for (const char* u : {"HTTP://EVIL.Example.:80/%7e/%2f?a=%3d#F", "http://bücher.example/ü x",
                        "http://[::ffff:1.2.3.4]/", "https://u:p@[2001:DB8::1]:8443"}) {
    auto once = canonical_url(u);
    REQUIRE(once);
    CHECK(canonical_url(*once) == once);
  }
  for (const char* d : {"BÜCHER.example.", "xn--bcher-kva.example", "EVIL.example."}) {
    auto once = canonical_domain(d);
    REQUIRE(once);
    CHECK(canonical_domain(*once) == once);
  }
}

TEST_CASE("hosts and e-mail domains share the domain form", "[schema]") {
  CHECK(canonical("host", "WKS-042.Corp.Example.") == "wks-042.corp.example");
  CHECK(canonical("host", "Caf\xC3\xA9-01") == "caf\xC3\xA9-01");  // an inventory name, kept
  CHECK(canonical("host", "John's MacBook") == "john's macbook");
  CHECK(canonical_email("CFO@Bücher.Example") == "cfo@xn--bcher-kva.example");
  CHECK(url_host("https://EVIL.example.:8443/x") == "evil.example");
  CHECK(url_host("http://[::ffff:203.0.113.7]/") == "203.0.113.7");
  CHECK(url_host("http://bücher.example/") == "xn--bcher-kva.example");
}

TEST_CASE("URL match keys leave out scheme, user info and fragment", "[schema]") {
  CHECK(url_match_key("HTTPS://u:p@Evil.Example.:443/a%7e?q#frag") == "evil.example/a~?q");
  CHECK(url_match_key("evil.example/gate.php") == "evil.example/gate.php");
  CHECK(url_match_key("evil.example:80") == "evil.example/");
  CHECK(url_match_key("http://bücher.example/x") == url_match_key("http://xn--bcher-kva.example/x"));
  CHECK(url_match_key("http://[::ffff:203.0.113.7]/x") == "203.0.113.7/x");
  CHECK_FALSE(url_match_key("hxxp://evil[.]example/"));
  CHECK_FALSE(url_match_key("http://evil.example:70000/"));
  CHECK_FALSE(url_match_key("http://evil.example/\x1b[0m"));
}
