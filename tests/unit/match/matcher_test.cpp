#include <catch2/catch.hpp>

#include "match/matcher.hpp"

using namespace tr::match;

namespace {

Origin src(const char* s = "test") { return Origin{s, "", false}; }

std::vector<std::string> hits(const Matcher& m, Type t, std::string_view v) {
  std::vector<Hit> out;
  m.match(t, v, out);
  std::vector<std::string> s;
  for (const Hit& h : out) {
    IndicatorView iv = m.indicator(h.indicator);
    s.push_back(std::string(type_name(iv.type)) + ":" + std::string(iv.value) + ":" +
                std::string(via_name(h.via)));
  }
  return s;
}

}  // namespace

TEST_CASE("hashes match exactly, case-insensitively", "[match]") {
  Matcher m;
  REQUIRE(m.add(Type::Md5, "5D41402ABC4B2A76B9719D911017C592", src()).empty());
  REQUIRE(m.add(Type::Sha256, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", src()).empty());
  m.finish();
  CHECK(hits(m, Type::Md5, "5d41402abc4b2a76b9719d911017c592") ==
        std::vector<std::string>{"md5:5d41402abc4b2a76b9719d911017c592:exact"});
  CHECK(hits(m, Type::Sha256, "2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE").size() == 1);
  CHECK(hits(m, Type::Md5, "5d41402abc4b2a76b9719d911017c593").empty());
  // A substring is not a match (grep -F would say yes).
  CHECK(hits(m, Type::Sha256, "2c26b46b68ffc68ff99b453c1d304134").empty());
}

TEST_CASE("malformed and too broad indicators are refused", "[match]") {
  Matcher m;
  CHECK(m.add(Type::Ip, "", src()) == "empty value");
  CHECK_THAT(m.add(Type::Cidr, "0.0.0.0/0", src()), Catch::Contains("too broad"));
  CHECK_THAT(m.add(Type::Cidr, "::/0", src()), Catch::Contains("too broad"));
  CHECK_THAT(m.add(Type::Ip, "0.0.0.0", src()), Catch::Contains("every host"));
  CHECK_THAT(m.add(Type::Ip, "127.0.0.1", src()), Catch::Contains("every host"));
  CHECK_THAT(m.add(Type::Cidr, "10.0.0.1/8", src()), Catch::Contains("host bits"));
  CHECK_THAT(m.add(Type::Ip, "10.0.0.300", src()), Catch::Contains("not an IP"));
  CHECK_THAT(m.add(Type::Domain, "com", src()), Catch::Contains("single-label"));
  CHECK_THAT(m.add(Type::Domain, "bad domain", src()), Catch::Contains("not a domain"));
  CHECK_THAT(m.add(Type::Md5, "d41d8cd98f00b204e9800998ecf8427e", src()), Catch::Contains("empty"));
  CHECK_THAT(m.add(Type::Sha256, "abc", src()), Catch::Contains("not a sha256"));
  CHECK_THAT(m.add(Type::Regex, ".*", src()), Catch::Contains("empty string"));
  CHECK_THAT(m.add(Type::Regex, "(a|b)*", src()), Catch::Contains("empty string"));
  CHECK_THAT(m.add(Type::Regex, ".", src()), Catch::Contains("almost anything"));
  CHECK_THAT(m.add(Type::Regex, "(unclosed", src()), Catch::Contains("bad regular"));
  CHECK_THAT(m.add(Type::Filename, "*", src()), Catch::Contains("everything"));
  CHECK_THAT(m.add(Type::Filename, "a/b.exe", src()), Catch::Contains("directory"));
  CHECK_THAT(m.add(Type::Registry, "HKLM", src()), Catch::Contains("hive and a subkey"));
  CHECK_THAT(m.add(Type::Path, "/", src()), Catch::Contains("too broad"));
  CHECK(m.size() == 0);
  m.finish();
  CHECK(hits(m, Type::Ip, "10.1.2.3").empty());
  CHECK(hits(m, Type::Filename, "anything.exe").empty());
}

TEST_CASE("IPv4 and IPv6 networks: every covering prefix, exact IPs, mapped addresses", "[match]") {
  Matcher m;
  REQUIRE(m.add(Type::Ip, "203.0.113.7", src("a")).empty());
  REQUIRE(m.add(Type::Cidr, "203.0.113.0/24", src("b")).empty());
  REQUIRE(m.add(Type::Cidr, "198.51.0.0/16", src("c")).empty());
  REQUIRE(m.add(Type::Ip, "2001:db8::1/128", src("d")).empty());  // an IP written as a /128
  REQUIRE(m.add(Type::Cidr, "2001:DB8:1::/48", src("e")).empty());
  m.finish();
  CHECK(m.size(Type::Ip) == 2);
  CHECK(m.size(Type::Cidr) == 3);
  CHECK(hits(m, Type::Ip, "203.0.113.7") ==
        std::vector<std::string>{"ip:203.0.113.7:exact", "cidr:203.0.113.0/24:network"});
  CHECK(hits(m, Type::Ip, "203.0.113.8") == std::vector<std::string>{"cidr:203.0.113.0/24:network"});
  CHECK(hits(m, Type::Ip, "198.51.200.1") == std::vector<std::string>{"cidr:198.51.0.0/16:network"});
  CHECK(hits(m, Type::Ip, "198.52.0.1").empty());
  CHECK(hits(m, Type::Ip, "::ffff:203.0.113.7").size() == 2);
  CHECK(hits(m, Type::Ip, "2001:0db8:0000::1") == std::vector<std::string>{"ip:2001:db8::1:exact"});
  CHECK(hits(m, Type::Ip, "2001:db8:1:ffff::5") ==
        std::vector<std::string>{"cidr:2001:db8:1::/48:network"});
  CHECK(hits(m, Type::Ip, "not-an-ip").empty());
}

TEST_CASE("domains cover their subdomains, never the other way round", "[match]") {
  Matcher m;
  REQUIRE(m.add(Type::Domain, "Evil.Example.", src()).empty());
  REQUIRE(m.add(Type::Domain, "*.wild.example", src()).empty());
  m.finish();
  CHECK(hits(m, Type::Domain, "evil.example") == std::vector<std::string>{"domain:evil.example:exact"});
  CHECK(hits(m, Type::Domain, "a.b.EVIL.example") ==
        std::vector<std::string>{"domain:evil.example:parent"});
  CHECK(hits(m, Type::Domain, "x.wild.example").size() == 1);
  CHECK(hits(m, Type::Domain, "notevil.example").empty());
  CHECK(hits(m, Type::Domain, "evil.example.com").empty());
  CHECK(hits(m, Type::Domain, "example").empty());
}

TEST_CASE("URLs are normalised; their host is a weak domain key", "[match]") {
  Matcher m;
  REQUIRE(m.add(Type::Url, "HTTP://Bad.Example:80/gate.php?id=1#frag", src()).empty());
  REQUIRE(m.add(Type::Url, "evil.example/x", src()).empty());  // no scheme: http
  m.finish();
  CHECK(m.indicator(0).value == "http://bad.example/gate.php?id=1");
  CHECK(hits(m, Type::Url, "http://bad.example/gate.php?id=1") ==
        std::vector<std::string>{"url:http://bad.example/gate.php?id=1:exact"});
  CHECK(hits(m, Type::Url, "https://BAD.example:443/gate.php?id=1").size() == 1);
  CHECK(hits(m, Type::Url, "http://bad.example/gate.php?id=2").empty());
  CHECK(hits(m, Type::Domain, "bad.example") ==
        std::vector<std::string>{"url:http://bad.example/gate.php?id=1:url-host"});
  CHECK(hits(m, Type::Domain, "sub.bad.example").empty());
}

TEST_CASE("URL artifacts offer their host to domain and IP indicators", "[match]") {
  Matcher m;
  REQUIRE(m.add(Type::Domain, "evil.example", src()).empty());
  REQUIRE(m.add(Type::Ip, "203.0.113.7", src()).empty());
  m.finish();
  CHECK(hits(m, Type::Url, "https://cdn.evil.example/a.js") ==
        std::vector<std::string>{"domain:evil.example:url-host"});
  CHECK(hits(m, Type::Url, "http://203.0.113.7:8080/x") ==
        std::vector<std::string>{"ip:203.0.113.7:url-host"});
}

TEST_CASE("Windows paths and file names are case-insensitive; POSIX paths are exact", "[match]") {
  Matcher m;
  REQUIRE(m.add(Type::Path, "C:/Users/Bob/AppData/Roaming/svch0st.exe", src()).empty());
  REQUIRE(m.add(Type::Path, "/tmp/.X11-unix/.x", src()).empty());
  REQUIRE(m.add(Type::Filename, "Invoice.DOC", src()).empty());
  m.finish();
  CHECK(hits(m, Type::Path, "c:\\users\\BOB\\appdata\\roaming\\SVCH0ST.EXE") ==
        std::vector<std::string>{"path:c:\\users\\bob\\appdata\\roaming\\svch0st.exe:exact"});
  CHECK(hits(m, Type::Path, "\\\\?\\C:\\Users\\Bob\\AppData\\Roaming\\svch0st.exe").size() == 1);
  CHECK(hits(m, Type::Path, "/tmp/.X11-unix/.x").size() == 1);
  CHECK(hits(m, Type::Path, "/TMP/.X11-unix/.x").empty());
  CHECK(hits(m, Type::Filename, "invoice.doc").size() == 1);
  CHECK(hits(m, Type::Path, "D:\\mail\\INVOICE.doc") ==
        std::vector<std::string>{"filename:invoice.doc:file-name"});
  CHECK(hits(m, Type::Filename, "invoice.doc.exe").empty());
}

TEST_CASE("registry keys: hive forms unified, subkeys covered, HKU sid as HKCU", "[match]") {
  CHECK(normalise_registry("HKEY_LOCAL_MACHINE\\Software\\Evil\\") == "hklm\\software\\evil");
  CHECK(normalise_registry("\\REGISTRY\\MACHINE\\SOFTWARE\\Evil") == "hklm\\software\\evil");
  CHECK(normalise_registry("hkcu\\\\Software\\x") == "hkcu\\software\\x");
  Matcher m;
  REQUIRE(m.add(Type::Registry, "HKLM\\Software\\Evil", src()).empty());
  REQUIRE(m.add(Type::Registry, "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\svch0st", src()).empty());
  m.finish();
  CHECK(hits(m, Type::Registry, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil") ==
        std::vector<std::string>{"registry:hklm\\software\\evil:exact"});
  CHECK(hits(m, Type::Registry, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil\\Config\\id") ==
        std::vector<std::string>{"registry:hklm\\software\\evil:parent"});
  CHECK(hits(m, Type::Registry, "HKLM\\SOFTWARE\\EvilCorp").empty());
  CHECK(hits(m, Type::Registry, "HKLM\\Software").empty());
  CHECK(hits(m, Type::Registry,
             "HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\svch0st")
            .size() == 1);
}

TEST_CASE("regex indicators run as one RE2::Set over any text", "[match]") {
  Matcher m;
  REQUIRE(m.add(Type::Regex, "(?i)powershell.+-enc", src("r1")).empty());
  REQUIRE(m.add(Type::Regex, "mimikatz", src("r2")).empty());
  REQUIRE(m.add(Type::Mutex, "Global\\EvilMutex-7", src()).empty());
  REQUIRE(m.add(Type::Process, "  evil.exe   -install ", src()).empty());
  m.finish();
  REQUIRE(m.has_regex());
  std::vector<Hit> out;
  m.match_text("POWERSHELL.exe -nop -enc AAAA mimikatz", out);
  REQUIRE(out.size() == 2);
  CHECK(m.indicator(out[0].indicator).origin->source == "r1");
  CHECK(m.indicator(out[1].indicator).origin->source == "r2");
  CHECK(hits(m, Type::Mutex, "Global\\EvilMutex-7").size() == 1);
  CHECK(hits(m, Type::Mutex, "global\\evilmutex-7").empty());
  CHECK(hits(m, Type::Process, "evil.exe -install").size() == 1);
}

TEST_CASE("the same indicator twice is kept once; other sources are kept", "[match]") {
  Matcher m;
  REQUIRE(m.add(Type::Domain, "evil.example", src("a")).empty());
  REQUIRE(m.add(Type::Domain, "EVIL.example", src("a")).empty());
  REQUIRE(m.add(Type::Domain, "evil.example", Origin{"b", "i-1", true}).empty());
  REQUIRE(m.add(Type::Url, "http://evil.example/", src("a")).empty());
  REQUIRE(m.add(Type::Url, "http://evil.example/", src("a")).empty());
  m.finish();
  CHECK(m.size() == 3);
  auto h = hits(m, Type::Domain, "evil.example");
  CHECK(h.size() == 3);  // two domain indicators + the URL's host
}

TEST_CASE("strength: strong hashes, IPs, domains, mutexes; weak names and URL hosts", "[match]") {
  Matcher m;
  m.add(Type::Sha256, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", src());
  m.add(Type::Filename, "x.exe", src());
  m.add(Type::Cidr, "10.0.0.0/8", src());
  m.add(Type::Cidr, "203.0.113.0/24", src());
  m.add(Type::Registry, "HKLM\\Software\\Evil", src());
  m.finish();
  CHECK(is_strong(m.indicator(0), Via::Exact));
  CHECK_FALSE(is_strong(m.indicator(1), Via::Exact));
  CHECK_FALSE(is_strong(m.indicator(2), Via::Network));
  CHECK(is_strong(m.indicator(3), Via::Network));
  CHECK_FALSE(is_strong(m.indicator(4), Via::Exact));
}

TEST_CASE("a million mixed indicators load and match", "[match][.slow]") {
  Matcher m;
  char buf[80];
  for (int i = 0; i < 1000000; ++i) {
    switch (i % 4) {
      case 0: std::snprintf(buf, sizeof buf, "%d.%d.%d.%d", 11 + i % 200, (i >> 8) & 255, (i >> 16) & 255, i & 255); m.add(Type::Ip, buf, src()); break;
      case 1: std::snprintf(buf, sizeof buf, "host%d.evil%d.example", i, i % 977); m.add(Type::Domain, buf, src()); break;
      case 2: std::snprintf(buf, sizeof buf, "%064x", i); m.add(Type::Sha256, buf, src()); break;
      default: std::snprintf(buf, sizeof buf, "dropper%d.exe", i); m.add(Type::Filename, buf, src()); break;
    }
  }
  m.finish();
  CHECK(m.size() > 990000);
  CHECK(hits(m, Type::Domain, "a.host1.evil1.example").size() == 1);
}

TEST_CASE("duplicates inside and across index batches are dropped and ids stay dense", "[match]") {
  // add() defers indexing to batches: a duplicate found there is compacted away, and every
  // later indicator of the batch must keep its own value, origin and first_seen.
  Matcher m;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 40; ++i) {
      std::string d = "d" + std::to_string(i) + ".example";
      REQUIRE(m.add(Type::Domain, d, src("s1")).empty());
      if (i % 3 == 0) REQUIRE(m.add(Type::Domain, d, src("s1")).empty());  // same batch
      REQUIRE(m.add(Type::Ip, "203.0.113." + std::to_string(i + 1), i % 2 ? "odd" : "even", "",
                    false, 1000 + i)
                  .empty());
      if (i == 20) REQUIRE(m.add(Type::Regex, "evil[0-9]+\\.exe", src()).empty());
      if (i == 30) REQUIRE(m.add(Type::Url, "http://d" + std::to_string(i) + ".example/x", src()).empty());
    }
  }
  m.finish();
  CHECK(m.size() == 82);
  CHECK(m.size(Type::Domain) == 40);
  CHECK(m.size(Type::Ip) == 40);
  for (int i = 0; i < 40; ++i) {
    std::string d = "d" + std::to_string(i) + ".example";
    CHECK(hits(m, Type::Domain, "www." + d) == std::vector<std::string>{"domain:" + d + ":parent"});
    std::vector<Hit> out;
    m.match(Type::Ip, "203.0.113." + std::to_string(i + 1), out);
    REQUIRE(out.size() == 1);
    IndicatorView iv = m.indicator(out[0].indicator);
    CHECK(iv.value == "203.0.113." + std::to_string(i + 1));
    CHECK(iv.origin->source == (i % 2 ? "odd" : "even"));
    CHECK(iv.first_seen == 1000 + i);
  }
  CHECK(hits(m, Type::Url, "http://d30.example/x") ==
        std::vector<std::string>{"url:http://d30.example/x:exact", "domain:d30.example:url-host"});
  std::vector<Hit> rx;
  m.match_text("c:\\evil42.exe", rx);
  CHECK(rx.size() == 1);
}
