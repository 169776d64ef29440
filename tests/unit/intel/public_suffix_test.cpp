#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "core/error.hpp"
#include "intel/public_suffix.hpp"

using namespace tr::intel;

namespace {

// A small list in the real file's shape: the rules the test cases of publicsuffix.org's
// test_psl.txt exercise (wildcards, exceptions, IDN rules, a private section).
const char* kList = R"(// comment line
// ===BEGIN ICANN DOMAINS===
com
uk
co.uk
jp
kyoto.jp
*.kawasaki.jp
!city.kawasaki.jp
*.ck
!www.ck
cn
公司.cn
中国
  org   trailing text is ignored
bad*rule.example
// ===END ICANN DOMAINS===
// ===BEGIN PRIVATE DOMAINS===
github.io
blogspot.com
*.compute.amazonaws.com
// ===END PRIVATE DOMAINS===
)";

std::string reg(const PublicSuffixList& p, std::string_view d, bool icann_only = true) {
  auto r = p.registrable(d, icann_only);
  return r ? std::string(*r) : "-";
}

}  // namespace

TEST_CASE("public suffix list: normal rules and the implicit *", "[intel]") {
  auto p = PublicSuffixList::parse(kList);
  CHECK(p.skipped() == 1);  // bad*rule.example
  CHECK(reg(p, "a.b.example.co.uk") == "example.co.uk");
  CHECK(reg(p, "example.co.uk") == "example.co.uk");
  CHECK(reg(p, "co.uk") == "-");
  CHECK(reg(p, "uk") == "-");
  CHECK(reg(p, "www.example.com") == "example.com");
  CHECK(reg(p, "example.org") == "example.org");
  // Not on the list: the last label is the suffix (".example", ".test", ".invalid").
  CHECK(reg(p, "login.evil.example") == "evil.example");
  CHECK(reg(p, "evil.example") == "evil.example");
  CHECK(reg(p, "example") == "-");
  CHECK(p.public_suffix("a.b.kyoto.jp") == "kyoto.jp");
  CHECK(reg(p, "a.b.kyoto.jp") == "b.kyoto.jp");
}

TEST_CASE("public suffix list: wildcards and exceptions", "[intel]") {
  auto p = PublicSuffixList::parse(kList);
  // *.kawasaki.jp needs a label more; "jp" is the rule that matches kawasaki.jp itself.
  CHECK(reg(p, "kawasaki.jp") == "kawasaki.jp");
  CHECK(reg(p, "foo.kawasaki.jp") == "-");         // a public suffix by the wildcard
  CHECK(reg(p, "a.foo.kawasaki.jp") == "a.foo.kawasaki.jp");
  CHECK(reg(p, "city.kawasaki.jp") == "city.kawasaki.jp");  // the exception
  CHECK(reg(p, "www.city.kawasaki.jp") == "city.kawasaki.jp");
  CHECK(reg(p, "ck") == "-");  // publicsuffix.org's test_psl.txt: a TLD with only a wildcard
  CHECK(reg(p, "test.ck") == "-");
  CHECK(reg(p, "b.test.ck") == "b.test.ck");
  CHECK(reg(p, "www.ck") == "www.ck");
  CHECK(reg(p, "a.www.ck") == "www.ck");
}

TEST_CASE("public suffix list: IDN rules match A-label names", "[intel]") {
  auto p = PublicSuffixList::parse(kList);
  // 公司.cn is xn--55qx5d.cn, 中国 is xn--fiqs8s.
  CHECK(p.public_suffix("shop.example.xn--55qx5d.cn") == "xn--55qx5d.cn");
  CHECK(reg(p, "shop.example.xn--55qx5d.cn") == "example.xn--55qx5d.cn");
  CHECK(reg(p, "xn--55qx5d.cn") == "-");
  CHECK(reg(p, "www.xn--85x722f.xn--fiqs8s") == "xn--85x722f.xn--fiqs8s");
}

TEST_CASE("public suffix list: private rules only when asked for", "[intel]") {
  auto p = PublicSuffixList::parse(kList);
  // RDAP asks registries, which hold github.io, not a user's page under it.
  CHECK(reg(p, "evil.github.io") == "github.io");
  CHECK(reg(p, "evil.github.io", false) == "evil.github.io");
  CHECK(reg(p, "x.evil.blogspot.com", false) == "evil.blogspot.com");
  CHECK(reg(p, "a.b.eu-west-1.compute.amazonaws.com", false) ==
        "b.eu-west-1.compute.amazonaws.com");
  CHECK(reg(p, "a.b.eu-west-1.compute.amazonaws.com") == "amazonaws.com");
}

TEST_CASE("public suffix list: Debian's copy of the real list", "[intel]") {
  std::ifstream probe(kDefaultPublicSuffixList);
  if (!probe) return;  // the publicsuffix package is not installed
  auto p = PublicSuffixList::load(kDefaultPublicSuffixList);
  CHECK(p.size() > 5000);
  CHECK(reg(p, "a.b.example.co.uk") == "example.co.uk");
  CHECK(reg(p, "www.example.com.au") == "example.com.au");
  CHECK(reg(p, "evil.github.io") == "github.io");
  CHECK(reg(p, "evil.github.io", false) == "evil.github.io");
  CHECK(reg(p, "www.city.kawasaki.jp") == "city.kawasaki.jp");
  CHECK(reg(p, "a.b.c.kawasaki.jp") == "b.c.kawasaki.jp");
  CHECK(reg(p, "xn--85x722f.xn--55qx5d.cn") == "xn--85x722f.xn--55qx5d.cn");
}

TEST_CASE("public suffix list: an unreadable or empty file is a usage error", "[intel]") {
  CHECK_THROWS_AS(PublicSuffixList::load("/nonexistent/psl.dat"), tr::UsageError);
  char path[] = "/tmp/tr-psl-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  { std::ofstream(path) << "// only comments\n"; }
  CHECK_THROWS_WITH(PublicSuffixList::load(path), Catch::Contains("no public suffix rules"));
  std::remove(path);
}
