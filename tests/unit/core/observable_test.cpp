#include <catch2/catch.hpp>

#include "schema/observable.hpp"

using namespace tr;

TEST_CASE("IP addresses take their standard text form", "[schema]") {
  CHECK(canonical_ip("10.1.2.3") == "10.1.2.3");
  CHECK(canonical_ip(" 2001:DB8:0:0::1 ") == "2001:db8::1");
  CHECK(canonical_ip("[::1]") == "::1");
  CHECK(canonical_ip("fe80::1%eth0") == "fe80::1");
  CHECK_FALSE(canonical_ip("10.0.0.300"));
  CHECK_FALSE(canonical_ip("010.1.2.3"));
  CHECK_FALSE(canonical_ip("bad.example"));
}

TEST_CASE("CIDRs are masked to their network", "[schema]") {
  CHECK(canonical_cidr("10.1.2.3/8") == "10.0.0.0/8");
  CHECK(canonical_cidr("2001:db8::1/32") == "2001:db8::/32");
  CHECK(canonical_cidr("192.0.2.7") == "192.0.2.7/32");
  CHECK_FALSE(canonical_cidr("10.0.0.0/33"));
  CHECK_FALSE(canonical_cidr("10.0.0.0/"));
}

TEST_CASE("domains are lower case without trailing dot", "[schema]") {
  CHECK(canonical_domain("Bad.Example.") == "bad.example");
  CHECK(canonical_domain("_dmarc.corp.example") == "_dmarc.corp.example");
  CHECK_FALSE(canonical_domain("bad..example"));
  CHECK_FALSE(canonical_domain("bad example"));
  CHECK_FALSE(canonical_domain("bad.example\n;rm -rf /"));
  CHECK_FALSE(canonical_domain("1.2.3.4"));
  CHECK_FALSE(canonical_domain(""));
}

TEST_CASE("hashes are lower-case hex of a known length", "[schema]") {
  CHECK(canonical_hash("D41D8CD98F00B204E9800998ECF8427E") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(hash_type("d41d8cd98f00b204e9800998ecf8427e") == "md5");
  CHECK_FALSE(canonical_hash("xyz"));
  CHECK_FALSE(canonical("sha256", "d41d8cd98f00b204e9800998ecf8427e"));
}

TEST_CASE("email addresses and URL hosts", "[schema]") {
  CHECK(canonical_email("<CFO@Corp.Example>") == "cfo@corp.example");
  CHECK_FALSE(canonical_email("no-at-sign"));
  CHECK(url_host("https://user@Bad.Example:8443/gate.php?x=1") == "bad.example");
  CHECK(url_host("http://[2001:db8::1]/x") == "2001:db8::1");
  CHECK(url_host("bad.example/path") == "bad.example");
  CHECK(email_domain("a@B.example") == "b.example");
}

TEST_CASE("private ranges", "[schema]") {
  CHECK(is_private_ip("10.1.2.3"));
  CHECK(is_private_ip("172.20.0.1"));
  CHECK_FALSE(is_private_ip("172.32.0.1"));
  CHECK(is_private_ip("fd00::1"));
  CHECK_FALSE(is_private_ip("203.0.113.7"));
}

TEST_CASE("observable sets deduplicate canonical values and drop invalid ones", "[schema]") {
  ObservableSet s;
  CHECK(s.add("domain", "Bad.Example.", "attacker"));
  CHECK(s.add("domain", "bad.example", "attacker"));
  CHECK_FALSE(s.add("ip", "999.1.1.1", "attacker"));
  CHECK(s.items().size() == 1);
}

TEST_CASE("unknown types have no canonical form (found by fuzz_ingest)", "[schema]") {
  ObservableSet s;
  // A 40-character value that is not hex has no hash type; it must not become an observable.
  CHECK_FALSE(s.add(hash_type("3395856ce81f2b7382dee72602f798b642mf1414"), "x", "attacker"));
  CHECK_FALSE(canonical("", "value"));
  CHECK_FALSE(canonical("colour", "red"));
  CHECK(s.empty());
}

TEST_CASE("the canonical IPv4 fast path agrees with inet_ntop", "[schema]") {
  unsigned char o[4];
  CHECK(is_canonical_ipv4("10.1.2.3", o));
  CHECK(o[0] == 10);
  CHECK(o[3] == 3);
  for (const char* bad : {"010.1.2.3", "1.2.3.256", "1.2.3", "1.2.3.4.5", "1..2.3", " 1.2.3.4"})
    CHECK_FALSE(is_canonical_ipv4(bad));
  CHECK(canonical_ip("255.255.255.255") == "255.255.255.255");
  CHECK(canonical_ip("0.0.0.0") == "0.0.0.0");
}

TEST_CASE("text observables must be valid UTF-8 (found by fuzz_ingest)", "[schema]") {
  CHECK_FALSE(canonical("host", "wks-\xff\xfe"));
  CHECK_FALSE(canonical("user", "j\xc3"));
  CHECK(canonical("host", "caf\xc3\xa9-01") == "caf\xc3\xa9-01");
}
