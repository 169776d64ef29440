#include "net/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

namespace tr::net {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
using Easy = std::unique_ptr<CURL, CurlDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

size_t on_body(char* p, size_t size, size_t n, void* user) {
  static_cast<Response*>(user)->body.append(p, size * n);
  return size * n;
}

size_t on_header(char* p, size_t size, size_t n, void* user) {
  std::string_view line(p, size * n);
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    static_cast<Response*>(user)->headers[name] = std::string(value);
  } else if (line.rfind("HTTP/", 0) == 0) {
    static_cast<Response*>(user)->headers.clear();  // a new response (after 100-continue)
  }
  return size * n;
}

bool transient_status(long s) { return s == 408 || s == 429 || (s >= 500 && s <= 599); }

// One transfer: the easy handle with its options and buffers.
struct Transfer {
  Easy easy;
  Slist headers;
  Response response;
  char error[CURL_ERROR_SIZE] = {0};
};

std::unique_ptr<Transfer> make_transfer(const Request& r, const ClientOptions& o) {
  if (r.url.rfind("http://", 0) != 0 && r.url.rfind("https://", 0) != 0)
    throw ExternalError("refusing URL that is not http(s): " + redact_url(r.url));
  auto t = std::make_unique<Transfer>();
  t->easy.reset(curl_easy_init());
  CURL* c = t->easy.get();
  curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r.timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t->response);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t->response);
  if (!o.verify_tls) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!o.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
  if (!r.basic_user.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, r.basic_user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, r.basic_password.c_str());
  }
  curl_slist* list = nullptr;
  for (const auto& [k, v] : r.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, r.body.c_str());
  }
  t->headers.reset(list);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  if (r.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (r.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (r.method != "POST") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  return t;
}

int64_t backoff_ms(const RetryPolicy& p, int attempt, const Response* last) {
  int64_t wait = p.base_backoff_ms << std::min(attempt - 1, 20);
  if (last) {
    if (auto ra = retry_after_ms(last->header("retry-after"))) wait = std::max(wait, *ra);
  }
  return std::min(wait, p.max_backoff_ms);
}

}  // namespace

int64_t Clock::now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
void Clock::sleep_ms(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}
Clock& Clock::real() {
  static Clock c;
  return c;
}

std::string Response::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

RateLimiter::RateLimiter(int requests, int64_t window_ms, Clock* clock)
    : capacity_(std::max(1, requests)),
      tokens_(capacity_),
      per_ms_(capacity_ / static_cast<double>(std::max<int64_t>(1, window_ms))),
      clock_(clock ? clock : &Clock::real()) {
  last_ = clock_->now_ms();
}

void RateLimiter::refill() {
  int64_t now = clock_->now_ms();
  tokens_ = std::min(capacity_, tokens_ + (now - last_) * per_ms_);
  last_ = now;
}

int64_t RateLimiter::wait_ms() {
  refill();
  int64_t now = clock_->now_ms();
  int64_t pause = paused_until_ > now ? paused_until_ - now : 0;
  int64_t need = tokens_ >= 1.0 ? 0 : static_cast<int64_t>((1.0 - tokens_) / per_ms_) + 1;
  return std::max(pause, need);
}

bool RateLimiter::try_acquire() {
  if (wait_ms() > 0) return false;
  tokens_ -= 1.0;
  return true;
}

void RateLimiter::acquire() {
  for (;;) {
    int64_t w = wait_ms();
    if (w <= 0) break;
    clock_->sleep_ms(w);
  }
  tokens_ -= 1.0;
}

void RateLimiter::pause(int64_t ms) {
  paused_until_ = std::max(paused_until_, clock_->now_ms() + ms);
  tokens_ = std::min(tokens_, 0.0);
}

struct Client::Impl {
  ClientOptions o;
  Clock* clock;
  Multi multi;
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  global_init();
  impl_->o = std::move(options);
  if (impl_->o.user_agent.empty()) impl_->o.user_agent = "tr/" TR_VERSION;
  impl_->clock = impl_->o.clock ? impl_->o.clock : &Clock::real();
}

Client::~Client() = default;

Response Client::send(const Request& request) {
  const ClientOptions& o = impl_->o;
  if (o.offline) throw OfflineError("offline: not contacting " + redact_url(request.url));
  std::string last_error;
  std::optional<Response> last;
  for (int attempt = 1; attempt <= std::max(1, o.retry.max_attempts); ++attempt) {
    if (attempt > 1) impl_->clock->sleep_ms(backoff_ms(o.retry, attempt - 1, last ? &*last : nullptr));
    if (o.limiter) o.limiter->acquire();
    auto t = make_transfer(request, o);
    CURLcode rc = curl_easy_perform(t->easy.get());
    if (rc != CURLE_OK) {
      last_error = t->error[0] ? t->error : curl_easy_strerror(rc);
      last.reset();
      if (o.log) o.log(request.method + " " + redact_url(request.url) + ": " + last_error);
      continue;
    }
    curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &t->response.status);
    if (o.log)
      o.log(request.method + " " + redact_url(request.url) + " -> " +
            std::to_string(t->response.status));
    if (!transient_status(t->response.status)) return std::move(t->response);
    if (t->response.status == 429 && o.limiter) {
      auto ra = retry_after_ms(t->response.header("retry-after"));
      o.limiter->pause(std::min(ra.value_or(backoff_ms(o.retry, attempt, nullptr)),
                                o.retry.max_backoff_ms));
    }
    last_error = "HTTP " + std::to_string(t->response.status);
    last = std::move(t->response);
  }
  throw ExternalError(redact_url(request.url) + ": " + last_error + " (gave up after " +
                      std::to_string(std::max(1, o.retry.max_attempts)) + " attempts)");
}

std::vector<Result> Client::send_all(const std::vector<Request>& requests, int concurrency) {
  const ClientOptions& o = impl_->o;
  if (o.offline && !requests.empty())
    throw OfflineError("offline: not contacting " + redact_url(requests.front().url));
  std::vector<Result> results(requests.size());
  if (!impl_->multi) impl_->multi.reset(curl_multi_init());
  CURLM* m = impl_->multi.get();
  struct Pending {
    std::size_t index;
    int attempt;
    int64_t not_before;
    std::optional<Response> last;
  };
  std::deque<Pending> queue;
  for (std::size_t i = 0; i < requests.size(); ++i) queue.push_back({i, 1, 0, std::nullopt});
  struct Running {
    std::unique_ptr<Transfer> t;
    Pending p;
  };
  std::map<CURL*, Running> running;
  concurrency = std::max(1, concurrency);
  while (!queue.empty() || !running.empty()) {
    // Start what the concurrency limit, the backoff times and the rate limiter allow.
    int64_t now = impl_->clock->now_ms();
    int64_t next_wake = -1;
    for (auto it = queue.begin(); it != queue.end() && static_cast<int>(running.size()) < concurrency;) {
      if (it->not_before > now) {
        next_wake = next_wake < 0 ? it->not_before - now : std::min(next_wake, it->not_before - now);
        ++it;
        continue;
      }
      if (o.limiter && !o.limiter->try_acquire()) {
        int64_t w = o.limiter->wait_ms();
        next_wake = next_wake < 0 ? w : std::min(next_wake, w);
        break;
      }
      Running r{nullptr, *it};
      try {
        r.t = make_transfer(requests[it->index], o);
      } catch (const ExternalError& e) {
        results[it->index].error = e.what();
        it = queue.erase(it);
        continue;
      }
      CURL* easy = r.t->easy.get();
      curl_multi_add_handle(m, easy);
      running.emplace(easy, std::move(r));
      it = queue.erase(it);
    }
    if (running.empty()) {
      if (!queue.empty()) impl_->clock->sleep_ms(std::max<int64_t>(next_wake, 1));
      continue;
    }
    int still = 0;
    curl_multi_perform(m, &still);
    int msgs = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &msgs)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode rc = msg->data.result;
      curl_multi_remove_handle(m, easy);
      auto node = running.extract(easy);
      Running& r = node.mapped();
      const Request& req = requests[r.p.index];
      bool retry = false;
      std::string err;
      if (rc != CURLE_OK) {
        err = r.t->error[0] ? r.t->error : curl_easy_strerror(rc);
        retry = true;
      } else {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.t->response.status);
        if (transient_status(r.t->response.status)) {
          retry = true;
          err = "HTTP " + std::to_string(r.t->response.status);
          if (r.t->response.status == 429 && o.limiter) {
            auto ra = retry_after_ms(r.t->response.header("retry-after"));
            o.limiter->pause(std::min(ra.value_or(backoff_ms(o.retry, r.p.attempt, nullptr)),
                                      o.retry.max_backoff_ms));
          }
        }
      }
      if (o.log)
        o.log(req.method + " " + redact_url(req.url) + " -> " +
              (err.empty() ? std::to_string(r.t->response.status) : err));
      if (retry && r.p.attempt < std::max(1, o.retry.max_attempts)) {
        Pending p = r.p;
        if (rc == CURLE_OK) p.last = r.t->response;
        p.not_before = impl_->clock->now_ms() +
                       backoff_ms(o.retry, p.attempt, p.last ? &*p.last : nullptr);
        ++p.attempt;
        queue.push_back(std::move(p));
      } else if (retry) {
        results[r.p.index].error = redact_url(req.url) + ": " + err + " (gave up after " +
                                   std::to_string(r.p.attempt) + " attempts)";
      } else {
        results[r.p.index].response = std::move(r.t->response);
      }
    }
    if (!running.empty()) curl_multi_poll(m, nullptr, 0, 100, nullptr);
  }
  return results;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string redact_url(std::string_view url) {
  auto q = url.find_first_of("?#");
  return std::string(url.substr(0, q));
}

std::optional<int64_t> retry_after_ms(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.empty() || v.size() > 9) return std::nullopt;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n * 1000;
}

}  // namespace tr::net
