#include "devices/guard.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "config/config.hpp"
#include "core/error.hpp"

using tr::devices::Guard;

TEST_CASE("allowlist is CIDR and parent-domain aware", "[devices]") {
  Guard g = Guard::from_config(tr::Config::from_string(
      "allowlist: [192.0.2.0/24, 198.51.100.53, corp.example, mail.partner.example, svc-backup]\n"));
  CHECK(g.refuse("ip", "192.0.2.9"));
  CHECK(g.refuse("cidr", "192.0.0.0/16"));      // covers an allowlisted network
  CHECK(g.refuse("cidr", "198.51.100.0/24"));   // covers an allowlisted address
  CHECK_FALSE(g.refuse("ip", "198.51.100.54"));
  CHECK(g.refuse("domain", "corp.example"));
  CHECK(g.refuse("domain", "vpn.eu.corp.example"));
  CHECK_FALSE(g.refuse("domain", "notcorp.example"));
  CHECK(g.refuse("domain", "partner.example"));  // parent of an allowlisted name
  CHECK(g.refuse("url", "https://www.corp.example/login"));
  CHECK(g.refuse("url", "http://192.0.2.1/x"));
  CHECK_FALSE(g.refuse("url", "https://evil.example/login"));
  CHECK(g.refuse("user", "svc-backup"));
}

TEST_CASE("reserved ranges are refused unless allowed", "[devices]") {
  Guard g = Guard::from_config(tr::Config::from_string("allow_reserved: [10.99.0.0/16]\n"));
  for (const char* ip : {"10.1.2.3", "127.0.0.1", "169.254.1.1", "172.16.0.1", "192.168.1.1",
                         "224.0.0.251", "255.255.255.255", "0.0.0.0", "100.64.0.1"})
    CHECK(g.refuse("ip", ip));
  for (const char* ip : {"::1", "fe80::1", "fd00::1", "ff02::1", "::ffff:10.0.0.1"})
    CHECK(g.refuse("ip", ip));
  CHECK_FALSE(g.refuse("ip", "10.99.1.2"));
  CHECK(g.refuse("cidr", "10.0.0.0/8"));  // only part of it is allowed
  CHECK_FALSE(g.refuse("ip", "203.0.113.7"));
  CHECK(g.refuse("cidr", "0.0.0.0/1"));
  CHECK(g.refuse("cidr", "8.0.0.0/7"));
  CHECK_FALSE(g.refuse("cidr", "8.0.0.0/8"));
}

TEST_CASE("MISP warninglists feed the allowlist", "[devices]") {
  std::string path = "/tmp/tr-block-misp-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream f(path);
    f << R"({"name":"resolvers","type":"cidr","list":["8.8.8.8/32","2001:4860:4860::8888"]})";
  }
  std::string host_path = path + ".hosts";
  {
    std::ofstream f(host_path);
    f << R"({"name":"top","type":"hostname","list":["google.com",".microsoft.com"]})";
  }
  Guard g = Guard::from_config(tr::Config::from_string(
      "allowlist:\n  - misp: " + path + "\n  - misp: " + host_path + "\n"));
  CHECK(g.refuse("ip", "8.8.8.8"));
  CHECK(g.refuse("ip", "2001:4860:4860::8888"));
  CHECK(g.refuse("domain", "mail.google.com"));
  CHECK(g.refuse("domain", "login.microsoft.com"));
  CHECK_FALSE(g.refuse("domain", "evil.example"));
  std::remove(path.c_str());
  std::remove(host_path.c_str());
  CHECK_THROWS_AS(Guard::from_config(tr::Config::from_string("allowlist:\n  - misp: /nonexistent\n")),
                  tr::UsageError);
}
