#include "intel/feeds.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "intel/csv.hpp"

namespace tr::intel {
namespace {

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64 || n[0] == '.') return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

void make_dirs(const std::string& path) {
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    ::mkdir(path.substr(0, i).c_str(), 0700);
  }
}

void write_atomically(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) throw ExternalError(tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw ExternalError(path + ": " + std::strerror(errno));
}

}  // namespace

std::string feeds_dir() { return data_dir() + "/feeds"; }

std::vector<FeedSpec> feeds_from_config(const Config& c) {
  std::vector<FeedSpec> out;
  YAML::Node n = c.node("enrich.feeds");
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) throw UsageError(c.where(n) + "enrich.feeds: expected a list");
  for (const auto& item : n) {
    if (!item.IsMap() || !item["name"] || !item["url"])
      throw UsageError(c.where(item) + "enrich.feeds: each feed needs a name and a url");
    FeedSpec f;
    f.name = item["name"].Scalar();
    if (item["url"].IsMap() && item["url"]["env"]) {
      const char* v = std::getenv(item["url"]["env"].Scalar().c_str());
      if (!v || !*v)
        throw UsageError(c.where(item) + "enrich.feeds: environment variable " +
                         item["url"]["env"].Scalar() + " is not set");
      f.url = v;
    } else {
      f.url = item["url"].Scalar();
    }
    if (!valid_name(f.name))
      throw UsageError(c.where(item) + "enrich.feeds: feed name \"" + cli::term_safe(f.name) +
                       "\" may use only letters, digits, '.', '_' and '-'");
    if (f.url.rfind("https://", 0) != 0 && f.url.rfind("http://", 0) != 0)
      throw UsageError(c.where(item) + "enrich.feeds: " + f.name + ": url must be http(s)");
    if (item["format"]) f.format = item["format"].Scalar();
    try {
      if (item["min_valid"]) f.min_valid = item["min_valid"].as<double>();
      if (item["max_bytes"]) f.max_bytes = item["max_bytes"].as<int64_t>();
    } catch (const YAML::Exception&) {
      throw UsageError(c.where(item) + "enrich.feeds: " + f.name +
                       ": min_valid and max_bytes are numbers");
    }
    LocalBlocklists probe;  // rejects an unknown format now, not at download time
    probe.load_text("", f.name, f.format);
    out.push_back(std::move(f));
  }
  return out;
}

std::string check_feed(std::string_view body, const FeedSpec& feed, LoadStats* stats) {
  if (static_cast<int64_t>(body.size()) > feed.max_bytes)
    return "larger than " + std::to_string(feed.max_bytes) + " bytes";
  LocalBlocklists probe;
  LoadStats st = probe.load_text(body, feed.name, feed.format);
  if (stats) *stats = st;
  if (st.entries == 0) return "no valid entries";
  double valid = static_cast<double>(st.entries) / static_cast<double>(st.entries + st.invalid);
  if (valid < feed.min_valid) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "only %.0f%% of its lines are valid", valid * 100);
    return buf;
  }
  return "";
}

std::vector<FeedResult> update_feeds(const std::vector<FeedSpec>& feeds, net::Client& client,
                                     const std::string& dir, int64_t timeout_ms) {
  std::vector<FeedResult> results;
  make_dirs(dir);
  for (const auto& f : feeds) {
    FeedResult r;
    r.name = f.name;
    std::string path = dir + "/" + f.name;
    std::string meta_path = path + ".meta";
    nlohmann::json meta = nlohmann::json::object();
    struct stat st;
    bool have_copy = ::stat(path.c_str(), &st) == 0;
    if (have_copy && ::stat(meta_path.c_str(), &st) == 0) {
      try {
        meta = nlohmann::json::parse(read_file(meta_path), nullptr, false);
        if (!meta.is_object()) meta = nlohmann::json::object();
      } catch (const Error&) {
      }
    }
    net::Request req;
    req.url = f.url;
    req.timeout_ms = timeout_ms;
    if (meta.contains("etag") && meta["etag"].is_string())
      req.headers.emplace_back("If-None-Match", meta["etag"].get<std::string>());
    if (meta.contains("last_modified") && meta["last_modified"].is_string())
      req.headers.emplace_back("If-Modified-Since", meta["last_modified"].get<std::string>());
    try {
      net::Response resp = client.send(req);
      if (resp.status == 304 && have_copy) {
        r.ok = r.not_modified = true;
      } else if (resp.status != 200) {
        r.error = "HTTP " + std::to_string(resp.status);
      } else if (std::string why = check_feed(resp.body, f, &r.stats); !why.empty()) {
        r.error = why;
      } else {
        write_atomically(path, resp.body);
        nlohmann::json m = nlohmann::json::object();
        if (auto e = resp.header("etag"); !e.empty()) m["etag"] = e;
        if (auto l = resp.header("last-modified"); !l.empty()) m["last_modified"] = l;
        write_atomically(meta_path, m.dump());
        r.ok = true;
      }
    } catch (const ExternalError& e) {
      r.error = e.what();  // names the URL, which the feed's name already stands for
      std::string prefix = net::redact_url(f.url) + ": ";
      if (r.error.rfind(prefix, 0) == 0) r.error.erase(0, prefix.size());
    }
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace tr::intel
