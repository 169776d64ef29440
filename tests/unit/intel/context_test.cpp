#include <catch2/catch.hpp>

#include <fstream>

#include "intel/context.hpp"

using namespace tr::intel;

namespace {
std::string write_tmp(const std::string& name, const std::string& text) {
  std::string path = "/tmp/tr-unit-intel-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST_CASE("users load from CSV with aliases, quotes and group lists", "[intel]") {
  std::vector<std::string> warnings;
  Directory d;
  d.load(write_tmp("users.csv",
                   "sAMAccountName,Mail,Display Name,Title,Department,memberOf,Manager,VIP\n"
                   "jdoe,JDoe@Corp.Example,\"Doe, Jane\",Accountant,Finance,\"Finance;Domain Admins\",boss,yes\n"
                   ",,nobody,,,,,\n"
                   "x,not-an-email,,,,,,\n"),
         [&](const std::string& m) { warnings.push_back(m); });
  REQUIRE(d.size() == 1);
  const User* u = d.by_name("CORP\\JDOE");
  REQUIRE(u);
  CHECK(u->display_name == "Doe, Jane");
  CHECK(u->email == "jdoe@corp.example");
  CHECK(u->groups == std::vector<std::string>{"Finance", "Domain Admins"});
  CHECK(u->vip);
  CHECK(d.by_email("JDOE@corp.example") == u);
  CHECK(d.by_name("jdoe@corp.example") == u);  // a UPN
  CHECK(d.by_name("someone") == nullptr);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].find(":3: user without a name") != std::string::npos);
  CHECK(warnings[1].find(":4: e-mail address \"not-an-email\" is not valid") != std::string::npos);
}

TEST_CASE("users load from JSON arrays and JSON lines", "[intel]") {
  Directory d;
  d.load(write_tmp("users.json",
                   R"([{"user":"a","email":"a@x.example","groups":["G1","G2"],"vip":true}])"),
         [](const std::string&) {});
  REQUIRE(d.by_name("a"));
  CHECK(d.by_name("a")->groups == std::vector<std::string>{"G1", "G2"});
  CHECK(d.by_name("a")->vip);
  Directory l;
  l.load(write_tmp("users.jsonl", "{\"user\":\"b\"}\n\n{\"user\":\"c\",\"vip\":\"no\"}\n"),
         [](const std::string&) {});
  CHECK(l.size() == 2);
  CHECK_FALSE(l.by_name("c")->vip);
}

TEST_CASE("assets match by host name and by IP with the longest prefix", "[intel]") {
  std::vector<std::string> warnings;
  Assets a;
  a.load(write_tmp("assets.csv",
                   "hostname,ip,owner,business unit,criticality,role\n"
                   "wide,10.0.0.0/8,,IT,low,\n"
                   "narrow,10.1.0.0/16,,IT,high,\n"
                   "srv.corp.example,10.1.2.3 2001:db8::1,bob,Fin,Critical,finance-server\n"
                   "bad,10.0.0.300,,,,\n"),
         [&](const std::string& m) { warnings.push_back(m); });
  REQUIRE(a.size() == 4);
  CHECK(a.by_ip("10.1.2.3")->host == "srv.corp.example");
  std::string net;
  CHECK(a.by_ip("10.1.9.9", &net)->host == "narrow");
  CHECK(net == "10.1.0.0/16");
  CHECK(a.by_ip("10.200.0.1")->host == "wide");
  CHECK(a.by_ip("11.0.0.1") == nullptr);
  CHECK(a.by_ip("2001:db8::1")->host == "srv.corp.example");
  CHECK(a.by_host("SRV")->criticality == "critical");
  CHECK(a.by_host("srv.corp.example")->owner == "bob");
  CHECK(a.by_host("narrow.corp.example")->host == "narrow");
  REQUIRE(warnings.size() == 1);  // the row keeps its host name
  CHECK(warnings[0].find("\"10.0.0.300\" is not an IP address") != std::string::npos);
}

TEST_CASE("an IPv4 network never matches an IPv6 address", "[intel]") {
  Assets a;
  Asset all;
  all.host = "v4";
  all.ips = {"0.0.0.0/0"};
  REQUIRE(a.add(all));
  CHECK(a.by_ip("::ffff:1.2.3.4") == nullptr);
  CHECK(a.by_ip("1.2.3.4")->host == "v4");
}
