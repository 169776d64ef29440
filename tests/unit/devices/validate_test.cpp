#include "devices/validate.hpp"

#include <catch2/catch.hpp>

using tr::devices::check_value;

TEST_CASE("IPs are canonical and strict", "[devices]") {
  CHECK(check_value("ip", "203.0.113.7").value == "203.0.113.7");
  CHECK(check_value("ip", "2001:DB8:0:0::7").value == "2001:db8::7");
  CHECK_FALSE(check_value("ip", "010.1.1.1").ok);
  CHECK_FALSE(check_value("ip", "fe80::1%eth0").ok);
  CHECK_FALSE(check_value("ip", " 203.0.113.7").ok);
  CHECK_FALSE(check_value("ip", "203.0.113.7/32").ok);
  CHECK_FALSE(check_value("ip", "-1.2.3.4").ok);
}

TEST_CASE("networks must have host bits clear", "[devices]") {
  CHECK(check_value("cidr", "198.51.100.0/24").value == "198.51.100.0/24");
  CHECK(check_value("cidr", "2001:db8::/32").value == "2001:db8::/32");
  CHECK_FALSE(check_value("cidr", "198.51.100.1/24").ok);
  CHECK_FALSE(check_value("cidr", "198.51.100.0/33").ok);
  CHECK_FALSE(check_value("cidr", "198.51.100.0").ok);
}

TEST_CASE("domains are LDH names; anything that splits a line or a command is refused",
          "[devices]") {
  CHECK(check_value("domain", "Evil.Example.").value == "evil.example");
  CHECK(check_value("domain", "xn--bcher-kva.example").ok);
  // An internationalised name is blocked as the punycode name resolvers look up (9c6bc9b).
  CHECK(check_value("domain", "b\xc3\xbc" "cher.example").value == "xn--bcher-kva.example");
  for (const char* bad : {"evil.example\nfoo.example", "evil.example;", "evil example",
                          "evil.example\r", "*.evil.example", "example", "a..example",
                          "-evil.example", "evil-.example",
                          "evil.example#x", "evil.example`id`", "$(id).example", "a_b.example"})
    CHECK_FALSE(check_value("domain", bad).ok);
  CHECK_FALSE(check_value("domain", std::string(64, 'a') + ".example").ok);
  CHECK(check_value("host", "wks-042").value == "wks-042");
}

TEST_CASE("URLs keep their query, lose the fragment, and quote CPL/shell specials",
          "[devices]") {
  auto c = check_value("url", "HTTPS://Bad.Example/p;x?a=1&b='q'#frag");
  REQUIRE(c.ok);
  CHECK(c.value == "https://bad.example/p%3Bx?a=1&b=%27q%27");
  CHECK(check_value("url", "http://203.0.113.7:8080/gate.php").value ==
        "http://203.0.113.7:8080/gate.php");
  CHECK_FALSE(check_value("url", "javascript:alert(1)").ok);
  CHECK_FALSE(check_value("url", "http://evil.example/a b").ok);
  CHECK_FALSE(check_value("url", "http://evil.example/a\nb").ok);
  CHECK_FALSE(check_value("url", "http://user@evil.example/").ok);
  CHECK_FALSE(check_value("url", "http://evil.example:99999999/").ok);
}

TEST_CASE("users and message ids", "[devices]") {
  CHECK(check_value("user", "CORP\\jdoe").ok);
  CHECK_FALSE(check_value("user", "jdoe; rm").ok);
  CHECK_FALSE(check_value("user", "j\"doe").ok);
  CHECK(check_value("email_message", "CAF7x+1@mail.evil.example").value ==
        "<CAF7x+1@mail.evil.example>");
  CHECK_FALSE(check_value("email_message", "<a'b@x>").ok);
  CHECK_FALSE(check_value("email_message", "<nope>").ok);
  CHECK_FALSE(check_value("sha256", "aa").ok);
}

TEST_CASE("Net masks and containment", "[devices]") {
  tr::devices::Net n, h;
  REQUIRE(tr::devices::parse_net("198.51.100.0/22", n));
  CHECK(n.mask() == "255.255.252.0");
  CHECK(n.wildcard() == "0.0.3.255");
  REQUIRE(tr::devices::parse_net("198.51.103.9", h));
  CHECK(n.contains(h));
  CHECK_FALSE(h.contains(n));
  CHECK(h.overlaps(n));
  tr::devices::Net v6;
  REQUIRE(tr::devices::parse_net("2001:db8::/32", v6));
  CHECK_FALSE(v6.overlaps(n));
}

TEST_CASE("incident ids that may go into a list comment", "[devices]") {
  CHECK(tr::devices::is_safe_incident_id("i-3f2a000000000001"));
  CHECK(tr::devices::is_safe_incident_id("INC:2026.12_03"));
  CHECK_FALSE(tr::devices::is_safe_incident_id("i-1\n8.8.8.8"));
  CHECK_FALSE(tr::devices::is_safe_incident_id("i 1"));
  CHECK_FALSE(tr::devices::is_safe_incident_id("-i"));
  CHECK_FALSE(tr::devices::is_safe_incident_id(std::string(65, 'a')));
}
