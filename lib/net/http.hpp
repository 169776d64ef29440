// HTTP client over libcurl for every vendor API tr talks to (TAP, Splunk, VirusTotal, RDAP,
// firewalls): timeouts, retries with backoff, rate limits, --offline.
//
// Contract:
//  - send() returns the final response for anything that is not transient: 2xx, 3xx, and 4xx
//    other than 408/429. The caller decides what a 401/403/404 means for its vendor.
//  - Transient failures (connection errors, timeouts, 408, 429, 5xx) are retried up to
//    RetryPolicy::max_attempts with exponential backoff (base * 2^n, capped); a Retry-After
//    header (seconds) is honoured within the cap. When attempts run out, send() throws
//    ExternalError naming the URL without its query string (which may hold keys).
//  - With `offline`, send() throws OfflineError before any network activity.
//  - A RateLimiter (token bucket) is consulted before every attempt, retries included, so a
//    free-tier limit of 4 requests a minute holds however the calls are made.
//  - Nothing here logs secrets: the log callback gets method, URL without query, status.
//  - Only http and https URLs are accepted; redirects are not followed (an API that redirects
//    is answered as it is; this also keeps us from being sent to an attacker's host).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace tr::net {

class OfflineError : public ExternalError {
 public:
  using ExternalError::ExternalError;
};

// Time source for backoff and rate limiting; tests substitute a fake that records sleeps.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ms();         // monotonic
  virtual void sleep_ms(int64_t ms);
  static Clock& real();
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  long timeout_ms = 30000;
  long connect_timeout_ms = 10000;
  std::string basic_user;      // HTTP basic auth when not empty
  std::string basic_password;  // never logged
};

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case; last one wins
  std::string header(const std::string& lower_name) const;
};

struct RetryPolicy {
  int max_attempts = 4;
  int64_t base_backoff_ms = 500;
  int64_t max_backoff_ms = 30000;
};

// Token bucket: at most `requests` per `window_ms`, refilled continuously.
class RateLimiter {
 public:
  RateLimiter(int requests, int64_t window_ms, Clock* clock = nullptr);
  // Blocks (through the clock) until a request may be made, then takes a token.
  void acquire();
  // Takes a token if one is free now.
  bool try_acquire();
  // After a 429: no request before `ms` from now.
  void pause(int64_t ms);
  // Milliseconds until a token is free (0 when one is).
  int64_t wait_ms();

 private:
  void refill();
  double capacity_, tokens_, per_ms_;
  int64_t last_, paused_until_ = 0;
  Clock* clock_;
};

struct ClientOptions {
  bool offline = false;
  RetryPolicy retry;
  RateLimiter* limiter = nullptr;  // not owned
  Clock* clock = nullptr;          // not owned; the real clock when null
  std::string user_agent;          // default "tr/<version>"
  std::string ca_file;             // extra CA bundle (self-signed appliances)
  bool verify_tls = true;          // set false only for a device config that says so
  std::function<void(const std::string&)> log;  // -vv diagnostics, no secrets
};

struct Result {
  std::optional<Response> response;  // set when the transfer completed (any status)
  std::string error;                 // set when it did not
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Response send(const Request& request);
  // Runs many requests, at most `concurrency` at a time, with the same retry and rate-limit
  // rules; results are in the order of `requests`. Never throws for one failed request
  // (see Result::error); throws OfflineError when offline.
  std::vector<Result> send_all(const std::vector<Request>& requests, int concurrency);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes for a URL path segment or query value (RFC 3986 unreserved kept).
std::string url_encode(std::string_view s);
// "https://host/path?x" -> "https://host/path" (for messages: queries may hold keys).
std::string redact_url(std::string_view url);
// Parses a Retry-After value in seconds; nullopt for anything else.
std::optional<int64_t> retry_after_ms(std::string_view value);

}  // namespace tr::net
