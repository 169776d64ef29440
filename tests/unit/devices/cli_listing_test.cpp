// Listing CLI devices (sync): the device's own answer is untrusted text. These tests feed the
// parsers real-looking answers, answers with hostile lines, and huge inputs.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"
#include "devices/device.hpp"

namespace {

std::vector<std::string> listed(const std::string& device_yaml, const std::string& text) {
  tr::Config c = tr::Config::from_string("devices:\n  d: " + device_yaml + "\n");
  auto dev = tr::devices::make_device(c, "d", true);
  auto entries = dev->parse_listing(text);
  REQUIRE(entries);
  std::vector<std::string> out;
  for (const auto& e : *entries) out.push_back(e.type + " " + e.value + (e.ref.empty() ? "" : " " + e.ref));
  return out;
}

}  // namespace

TEST_CASE("ASA object-group listing: only our group, only valid values", "[devices]") {
  std::string text =
      "fw1# show running-config object-group id TR-BLOCK\r\n"
      "object-group network OTHER\n"
      " network-object host 203.0.113.50\n"
      "object-group network TR-BLOCK\n"
      " description managed by tr-block\n"
      " network-object host 192.0.2.255\n"
      " network-object host 203.0.113.7\r\n"
      " network-object 198.51.100.0 255.255.255.0\n"
      " network-object 198.51.100.0 255.0.255.0\n"         // not a netmask
      " network-object object tr-evil.example\n"
      " network-object object tr-evil.example;reload\n"   // not a name
      " network-object 2001:db8::/32\n"
      " network-object host 010.1.1.1\n"                   // ambiguous address
      " network-object host 203.0.113.8\nwrite erase\n"     // a line of its own ends the group
      " network-object host 203.0.113.9\n";
  auto got = listed("{type: asa, keep: [192.0.2.255]}", text);
  CHECK(got == std::vector<std::string>{"ip 203.0.113.7", "cidr 198.51.100.0/24", "domain evil.example",
                                        "cidr 2001:db8::/32", "ip 203.0.113.8"});
}

TEST_CASE("ASA shun and time-range listings", "[devices]") {
  CHECK(listed("{type: asa, method: shun}", "shun (outside) 203.0.113.7 0.0.0.0 0 0 0\nshun (x) -1 0 0\n") ==
        std::vector<std::string>{"ip 203.0.113.7"});
  std::string acl =
      "access-list outside_access_in extended deny ip host 203.0.113.7 any time-range TR-EXP-00aa\n"
      "access-list outside_access_in extended deny ip 198.51.100.0 255.255.255.0 any time-range TR-EXP-00bb\n"
      "access-list other extended deny ip host 203.0.113.9 any time-range TR-EXP-00cc\n"
      "access-list outside_access_in extended deny ip host 203.0.113.10 any time-range TR-EXP-zz\n";
  CHECK(listed("{type: asa, time_range: true, acl: outside_access_in}", acl) ==
        std::vector<std::string>{"ip 203.0.113.7 TR-EXP-00aa", "cidr 198.51.100.0/24 TR-EXP-00bb"});
}

TEST_CASE("IOS listings: object-group, null routes with our tag, ACEs with wildcard masks", "[devices]") {
  CHECK(listed("{type: ios}", "object-group network TR-BLOCK\n host 203.0.113.7\n 198.51.100.0 255.255.255.0\n"
                              "object-group network P\n host 203.0.113.10\n") ==
        std::vector<std::string>{"ip 203.0.113.7", "cidr 198.51.100.0/24"});
  CHECK(listed("{type: ios, method: null-route}",
               "ip route 203.0.113.7 255.255.255.255 Null0 tag 666 name tr-b\n"
               "ip route 10.0.0.0 255.0.0.0 Null0 tag 100\n") == std::vector<std::string>{"ip 203.0.113.7"});
  CHECK(listed("{type: ios, time_range: true, acl: TR-IN}",
               "Extended IP access list TR-IN\n    77 deny ip 198.51.100.0 0.0.0.255 any time-range TR-EXP-01 (inactive)\n"
               "    2147483647 permit ip any any\n") ==
        std::vector<std::string>{"cidr 198.51.100.0/24 TR-EXP-01"});
}

TEST_CASE("SRX listings in set and brace formats resolve members by object", "[devices]") {
  std::string set =
      "set security address-book global address tr-a 203.0.113.7/32\n"
      "set security address-book global address web dns-name evil.example\n"
      "set security address-book global address-set TR-BLOCK address tr-a\n"
      "set security address-book global address-set TR-BLOCK address web\n"
      "set security address-book global address-set TR-BLOCK address missing\n"
      "set security address-book other address-set TR-BLOCK address tr-a\n";
  CHECK(listed("{type: srx}", set) == std::vector<std::string>{"ip 203.0.113.7 tr-a", "domain evil.example web"});
  std::string braces =
      "global {\n    address tr-a 203.0.113.7/32;\n    address web {\n        dns-name evil.example;\n    }\n"
      "    address-set TR-BLOCK {\n        address tr-a;\n        address web;\n    }\n}\n";
  CHECK(listed("{type: srx}", braces) == std::vector<std::string>{"ip 203.0.113.7 tr-a", "domain evil.example web"});
}

TEST_CASE("hostile listings stay linear and bounded", "[devices]") {
  // 20 MB in one line, and 200k lines of near-matches: parsing must not blow up.
  std::string one(20 * 1024 * 1024, 'a');
  CHECK(listed("{type: asa}", "object-group network TR-BLOCK\n network-object host " + one + "\n").empty());
  std::string many = "object-group network TR-BLOCK\n";
  for (int i = 0; i < 200000; ++i) many += " network-object host 203.0.113.7 " + std::string(40, ' ') + "x\n";
  CHECK(listed("{type: asa}", many).empty());
  CHECK(listed("{type: srx}", std::string(100000, '{') + "\n" + std::string(100000, '}')).empty());
}
