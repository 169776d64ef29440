#include <catch2/catch.hpp>

#include "../test_server.hpp"
#include "net/http.hpp"

using namespace tr::net;

namespace {
// A clock that never sleeps: it advances by the time asked for and records it.
class FakeClock : public Clock {
 public:
  int64_t now_ms() override { return now; }
  void sleep_ms(int64_t ms) override {
    slept.push_back(ms);
    now += ms;
  }
  int64_t now = 1000000;
  std::vector<int64_t> slept;
};
}  // namespace

TEST_CASE("token bucket allows N per window and no more", "[net]") {
  FakeClock clock;
  RateLimiter limiter(4, 60000, &clock);
  for (int i = 0; i < 4; ++i) CHECK(limiter.try_acquire());
  CHECK_FALSE(limiter.try_acquire());
  CHECK(limiter.wait_ms() == 15001);  // one token every 15 s
  limiter.acquire();                  // sleeps through the fake clock
  REQUIRE(clock.slept.size() == 1);
  CHECK(clock.slept[0] == 15001);
  // Over any window of 60 s, at most 4 + 4 tokens (burst plus refill) are handed out.
  int granted = 0;
  int64_t start = clock.now;
  while (clock.now - start < 60000) {
    limiter.acquire();
    ++granted;
  }
  CHECK(granted <= 5);
  CHECK(granted >= 4);
}

TEST_CASE("pause after 429 holds every request back", "[net]") {
  FakeClock clock;
  RateLimiter limiter(100, 1000, &clock);
  limiter.pause(5000);
  CHECK(limiter.wait_ms() >= 5000);
  limiter.acquire();
  CHECK(clock.slept.front() >= 5000);
}

TEST_CASE("send retries transient failures, then succeeds", "[net]") {
  tr::testing::TestServer server("echo.py");
  FakeClock clock;
  Client client({.offline = false, .retry = {4, 500, 30000}, .limiter = nullptr, .clock = &clock});
  Response r = client.send({.url = server.url("/flaky/a/2")});
  CHECK(r.status == 200);
  CHECK(r.body.find("\"attempt\": 3") != std::string::npos);
  REQUIRE(clock.slept.size() == 2);
  CHECK(clock.slept[0] == 500);
  CHECK(clock.slept[1] == 1000);
}

TEST_CASE("send gives up after max attempts with a clear error", "[net]") {
  tr::testing::TestServer server("echo.py");
  FakeClock clock;
  Client client({.offline = false, .retry = {3, 100, 1000}, .limiter = nullptr, .clock = &clock});
  try {
    client.send({.url = server.url("/flaky/b/10?apikey=SECRET")});
    FAIL("expected an error");
  } catch (const tr::ExternalError& e) {
    std::string msg = e.what();
    CHECK(msg.find("HTTP 503") != std::string::npos);
    CHECK(msg.find("3 attempts") != std::string::npos);
    CHECK(msg.find("SECRET") == std::string::npos);
  }
  CHECK(server.requests().size() == 3);
}

TEST_CASE("4xx other than 429 is returned, not retried", "[net]") {
  tr::testing::TestServer server("echo.py");
  Client client;
  CHECK(client.send({.url = server.url("/status/401")}).status == 401);
  CHECK(client.send({.url = server.url("/status/404")}).status == 404);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("429 honours Retry-After", "[net]") {
  tr::testing::TestServer server("echo.py");
  FakeClock clock;
  RateLimiter limiter(100, 1000, &clock);
  Client client({.offline = false, .retry = {4, 100, 30000}, .limiter = &limiter, .clock = &clock});
  CHECK(client.send({.url = server.url("/limited/x")}).status == 200);
  int64_t total = 0;
  for (auto s : clock.slept) total += s;
  CHECK(total >= 1000);
}

TEST_CASE("offline refuses before any request", "[net]") {
  tr::testing::TestServer server("echo.py");
  Client client({.offline = true});
  CHECK_THROWS_AS(client.send({.url = server.url("/status/200")}), OfflineError);
  CHECK(server.requests().empty());
}

TEST_CASE("timeouts are transient failures", "[net]") {
  tr::testing::TestServer server("echo.py");
  FakeClock clock;
  Client client({.offline = false, .retry = {2, 10, 100}, .limiter = nullptr, .clock = &clock});
  Request req{.url = server.url("/slow/2000")};
  req.timeout_ms = 200;
  CHECK_THROWS_AS(client.send(req), tr::ExternalError);
}

TEST_CASE("POST sends body, headers and basic auth", "[net]") {
  tr::testing::TestServer server("echo.py");
  Client client;
  Request req{.method = "POST", .url = server.url("/echo")};
  req.headers = {{"Content-Type", "application/json"}};
  req.body = R"({"a":1})";
  req.basic_user = "svc";
  req.basic_password = "pw";
  Response r = client.send(req);
  CHECK(r.status == 200);
  CHECK(r.body.find(R"(\"a\":1)") != std::string::npos);
  CHECK(r.body.find("Basic c3ZjOnB3") != std::string::npos);
}

TEST_CASE("send_all runs concurrently, keeps order, retries per request", "[net]") {
  tr::testing::TestServer server("echo.py");
  Client client({.offline = false, .retry = {4, 50, 1000}});
  std::vector<Request> reqs;
  for (int i = 0; i < 6; ++i) reqs.push_back({.url = server.url("/slow/300")});
  reqs.push_back({.url = server.url("/flaky/c/1")});
  reqs.push_back({.url = server.url("/status/404")});
  auto t0 = Clock::real().now_ms();
  auto results = client.send_all(reqs, 6);
  auto elapsed = Clock::real().now_ms() - t0;
  REQUIRE(results.size() == 8);
  for (int i = 0; i < 6; ++i) CHECK(results[i].response->status == 200);
  CHECK(results[6].response->status == 200);
  CHECK(results[7].response->status == 404);
  CHECK(elapsed < 6 * 300);  // not one after another
}

TEST_CASE("send_all respects the rate limiter", "[net]") {
  tr::testing::TestServer server("echo.py");
  FakeClock clock;
  RateLimiter limiter(2, 60000, &clock);
  Client client({.offline = false, .retry = {1, 10, 100}, .limiter = &limiter, .clock = &clock});
  std::vector<Request> reqs(5, Request{.url = server.url("/status/200")});
  auto results = client.send_all(reqs, 5);
  for (auto& r : results) CHECK(r.response->status == 200);
  // Two immediately, then one per 30 s on the fake clock: at least 90 s of waiting.
  int64_t total = 0;
  for (auto s : clock.slept) total += s;
  CHECK(total >= 90000);
}

TEST_CASE("non-http URLs are refused", "[net]") {
  Client client;
  CHECK_THROWS_AS(client.send({.url = "file:///etc/passwd"}), tr::ExternalError);
}
