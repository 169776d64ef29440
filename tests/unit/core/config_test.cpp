#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "config/config.hpp"
#include "core/error.hpp"

using tr::Config;

TEST_CASE("typed getters with defaults", "[config]") {
  Config c = Config::from_string("limits:\n  max_per_run: 5\nwindow: 24h\nlist: [a, b]\n");
  CHECK(c.get_int("limits.max_per_run", 0) == 5);
  CHECK(c.get_int("limits.max_per_hour", 50) == 50);
  CHECK(c.get_duration("window", 0) == 86400000);
  CHECK(c.get_strings("list") == std::vector<std::string>{"a", "b"});
  CHECK(c.get_string("missing.deep.key", "d") == "d");
  CHECK_FALSE(c.has("limits.nope"));
}

TEST_CASE("errors name the file and line", "[config]") {
  CHECK_THROWS_WITH(Config::from_string("a: [1,\nb: 2\n", "c.yaml"), Catch::StartsWith("c.yaml:"));
  Config c = Config::from_string("x: 1\nlimits:\n  max_per_run: lots\n", "c.yaml");
  CHECK_THROWS_WITH(c.get_int("limits.max_per_run", 0), Catch::StartsWith("c.yaml:3: "));
  Config d = Config::from_string("window: soon\n", "d.yaml");
  CHECK_THROWS_AS(d.get_duration("window", 0), tr::UsageError);
}

TEST_CASE("a missing configuration file named explicitly is a usage error", "[config]") {
  CHECK_THROWS_AS(Config::load("/nonexistent/tr.yaml"), tr::UsageError);
}

TEST_CASE("secrets come from the environment or an owner-only file", "[config]") {
  setenv("TR_TEST_SECRET", "s3cr3t", 1);
  Config c = Config::from_string(
      "vt:\n  key: {env: TR_TEST_SECRET}\nliteral:\n  key: abc\nunset:\n  key: {env: TR_NOPE_X}\n");
  CHECK(c.secret("vt.key")->reveal() == "s3cr3t");
  CHECK_FALSE(c.secret("absent.key"));
  CHECK_THROWS_WITH(c.secret("literal.key"), Catch::Contains("only its owner can read"));
  CHECK_THROWS_WITH(c.secret("unset.key"), Catch::Contains("TR_NOPE_X is not set"));
  // The message never contains a secret value.
  try {
    c.secret("literal.key");
  } catch (const tr::UsageError& e) {
    CHECK(std::string(e.what()).find("abc") == std::string::npos);
  }

  std::string path = "/tmp/tr-secret-test-" + std::to_string(getpid());
  std::ofstream(path) << "filekey\n";
  chmod(path.c_str(), 0644);
  Config f = Config::from_string("k: {file: " + path + "}\n");
  CHECK_THROWS_WITH(f.secret("k"), Catch::Contains("readable by group or others; run 'chmod 600 " + path + "'"));
  chmod(path.c_str(), 0640);
  CHECK_THROWS_WITH(f.secret("k"), Catch::Contains("chmod 600"));
  chmod(path.c_str(), 0600);
  CHECK(f.secret("k")->reveal() == "filekey");
  std::remove(path.c_str());
}

TEST_CASE("a literal secret is refused in a configuration file others can read", "[config]") {
  std::string path = "/tmp/tr-config-perm-test-" + std::to_string(getpid()) + ".yaml";
  std::ofstream(path) << "devices:\n  pan:\n    key: LUFRPT1-literal==\n    url: {env: X}\n";
  for (mode_t mode : {0644, 0640, 0604}) {
    chmod(path.c_str(), mode);
    Config c = Config::from_file(path);
    CHECK(c.get_string("devices.pan.key") == "LUFRPT1-literal==");  // not a secret read
    try {
      c.secret("devices.pan.key");
      FAIL("a group- or world-readable secret was accepted");
    } catch (const tr::UsageError& e) {  // status 2
      std::string what = e.what();
      CHECK(what.find(path + ":3: devices.pan.key: this file holds a secret") == 0);
      CHECK(what.find("chmod 600 " + path) != std::string::npos);
      CHECK(what.find("LUFRPT1") == std::string::npos);  // never the value
    }
  }
  chmod(path.c_str(), 0600);
  CHECK(Config::from_file(path).secret("devices.pan.key")->reveal() == "LUFRPT1-literal==");
  std::remove(path.c_str());
}
