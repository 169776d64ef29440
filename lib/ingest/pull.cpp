#include "ingest/pull.hpp"

#include <cstdlib>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "net/http.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

namespace tr::ingest {
namespace {

class OutSink : public Sink {
 public:
  explicit OutSink(cli::Context& ctx) : ctx_(ctx) {}
  void emit(Record rec) override { ctx_.out().line(rec.text()); }
  void emit_text(std::string_view json) override { ctx_.out().line(json); }

 private:
  cli::Context& ctx_;
};

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string setting(const cli::Context& ctx, const char* env, const std::string& key,
                    const std::string& fallback = "") {
  return env_or(env, ctx.config().get_string(key, fallback));
}

std::string secret(const cli::Context& ctx, const char* env, const std::string& key) {
  if (const char* v = std::getenv(env); v && *v) return v;
  if (auto s = ctx.config().secret(key)) return s->reveal();
  return {};
}

std::string rfc3339_seconds(time::Millis t) {
  std::string s = time::format_rfc3339(t / 1000 * 1000);
  return s.substr(0, 19) + "Z";  // TAP takes "2026-12-03T11:00:00Z"
}

[[noreturn]] void refused(std::string_view vendor, long status, std::string_view what) {
  throw ExternalError(std::string(vendor) + " refused the request (HTTP " +
                      std::to_string(status) + "): check " + std::string(what));
}

[[noreturn]] void failed(std::string_view vendor, const net::Response& r) {
  throw ExternalError(std::string(vendor) + " answered HTTP " + std::to_string(r.status) + ": " +
                      cli::term_safe(r.body, 200));
}

time::Millis start_time(cli::Context& ctx, const std::string& cursor_name,
                        const std::string& since, time::Millis now, time::Millis oldest) {
  time::Millis start = 0;
  if (auto c = ctx.store().cursor(cursor_name)) {
    auto t = time::parse_rfc3339(*c);
    if (!t) throw UsageError("cursor " + cursor_name + " in the store is not a time: " + *c);
    start = *t;
    ctx.info("resuming from " + *c + " (cursor " + cursor_name + ")");
  } else {
    auto d = time::parse_duration(since.empty() ? "1h" : since);
    if (!d) throw UsageError("--since " + cli::term_safe(since) + " is not a duration");
    start = now - *d;
  }
  if (start < oldest) {
    ctx.warn("the API keeps 7 days: starting at " + time::format_rfc3339(oldest));
    start = oldest;
  }
  return start;
}

void pull_tap(cli::Context& ctx, IngestStage& stage, const PullOptions& opt) {
  std::string base = opt.url.empty()
                         ? setting(ctx, "TR_TAP_URL", "ingest.tap.url", "https://tap-api-v2.proofpoint.com")
                         : opt.url;
  std::string principal = setting(ctx, "TR_TAP_PRINCIPAL", "ingest.tap.principal");
  std::string pass = secret(ctx, "TR_TAP_SECRET", "ingest.tap.secret");
  if (principal.empty() || pass.empty())
    throw UsageError("Proofpoint TAP needs a service principal and secret: set ingest.tap.principal "
                     "and ingest.tap.secret in the configuration (or TR_TAP_PRINCIPAL and "
                     "TR_TAP_SECRET)");
  net::ClientOptions co;
  co.offline = ctx.offline();
  co.log = [&](const std::string& m) { ctx.debug(m); };
  net::Client client(co);
  OutSink sink(ctx);
  const std::string cursor = "ingest.tap";
  time::Millis now = time::now() / 1000 * 1000;
  time::Millis start = start_time(ctx, cursor, opt.since, now, now - 7 * 86400000LL + 60000);
  std::size_t windows = 0;
  while (start < now && !ctx.interrupted()) {
    // At most one hour per request (the API's rule); consecutive windows, no gaps.
    time::Millis end = std::min(start + 3600000, now);
    std::string interval = rfc3339_seconds(start) + "/" + rfc3339_seconds(end);
    net::Request req;
    req.url = base + "/v2/siem/all?format=json&interval=" + net::url_encode(interval);
    req.basic_user = principal;
    req.basic_password = pass;
    req.headers.emplace_back("Accept", "application/json");
    net::Response r = client.send(req);
    if (r.status == 401) refused("Proofpoint TAP", r.status, "the service principal and secret (ingest.tap.principal, ingest.tap.secret)");
    if (r.status == 403) refused("Proofpoint TAP", r.status, "that the service principal may read SIEM data");
    if (r.status == 200) {
      stage.on_document(r.body, SourcePos{"tap:" + interval, 0}, sink);
    } else if (r.status != 204) {
      failed("Proofpoint TAP", r);
    }
    ctx.out().flush();  // the window's alerts are out before the cursor moves past them
    ctx.store().set_cursor(cursor, time::format_rfc3339(end), time::now());
    ++windows;
    start = end;
  }
  ctx.info("Proofpoint TAP: " + std::to_string(windows) + " windows read, up to " +
           time::format_rfc3339(start));
}

void pull_splunk(cli::Context& ctx, IngestStage& stage, const PullOptions& opt) {
  if (opt.search.empty()) throw UsageError("--from splunk needs --search");
  std::string search = opt.search;
  if (search.rfind("search ", 0) != 0 && search.rfind("|", 0) != 0) search = "search " + search;
  std::string base = opt.url.empty() ? setting(ctx, "TR_SPLUNK_URL", "ingest.splunk.url",
                                               "https://localhost:8089")
                                     : opt.url;
  std::string token = secret(ctx, "TR_SPLUNK_TOKEN", "ingest.splunk.token");
  std::string user = setting(ctx, "TR_SPLUNK_USER", "ingest.splunk.user");
  std::string pass = secret(ctx, "TR_SPLUNK_PASSWORD", "ingest.splunk.password");
  if (token.empty() && (user.empty() || pass.empty()))
    throw UsageError("Splunk needs a token (ingest.splunk.token or TR_SPLUNK_TOKEN) or a user "
                     "and password (ingest.splunk.user, ingest.splunk.password)");
  net::ClientOptions co;
  co.offline = ctx.offline();
  co.log = [&](const std::string& m) { ctx.debug(m); };
  net::Client client(co);
  OutSink sink(ctx);
  // One cursor per search, so two cron jobs with different searches do not share one.
  const std::string cursor = "ingest.splunk:" + sha256_hex(search).substr(0, 16);
  time::Millis now = time::now() / 1000 * 1000;
  time::Millis start = start_time(ctx, cursor, opt.since.empty() ? "15m" : opt.since, now, 0);
  net::Request req;
  req.method = "POST";
  req.url = base + "/services/search/jobs/export";
  req.timeout_ms = 300000;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  if (!token.empty()) {
    req.headers.emplace_back("Authorization", "Bearer " + token);
  } else {
    req.basic_user = user;
    req.basic_password = pass;
  }
  req.body = "search=" + net::url_encode(search) + "&output_mode=json&earliest_time=" +
             std::to_string(start / 1000) + "&latest_time=" + std::to_string(now / 1000);
  net::Response r = client.send(req);
  if (r.status == 401) refused("Splunk", r.status, "the token or user and password (ingest.splunk.*)");
  if (r.status == 403) refused("Splunk", r.status, "that the user may run this search");
  if (r.status != 200) failed("Splunk", r);
  std::string_view body = r.body;
  std::size_t n = 0;
  while (!body.empty() && !ctx.interrupted()) {
    std::size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    ++n;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim_view(line).empty()) continue;
    stage.on_document(line, SourcePos{"splunk", n}, sink);
  }
  ctx.out().flush();
  ctx.store().set_cursor(cursor, time::format_rfc3339(now), time::now());
}

}  // namespace

void pull(cli::Context& ctx, IngestStage& stage, const PullOptions& opt) {
  if (opt.source == "tap")
    pull_tap(ctx, stage, opt);
  else if (opt.source == "splunk")
    pull_splunk(ctx, stage, opt);
  else
    throw UsageError("--from " + cli::term_safe(opt.source) + ": expected tap or splunk");
}

}  // namespace tr::ingest
