// Blocklist feeds: `tr-enrich feeds update` downloads the feeds configured under
// `enrich.feeds` into ${XDG_DATA_HOME}/tr/feeds/<name>, for cron, and every enrichment run
// then uses the last good copies as blocklists.
//
// A download replaces the copy only when it is good: HTTP 200 (304 keeps the copy), not over
// the size cap, at least one entry, and at least `min_valid` of its value lines valid, so an
// HTML error page or a truncated file never replaces a list. The new copy is written to a
// temporary file and renamed, so a reader never sees half a list. ETag and Last-Modified are
// kept next to the copy (<name>.meta) and sent back (If-None-Match / If-Modified-Since).
#pragma once
#include <string>
#include <vector>

#include "config/config.hpp"
#include "intel/blocklist.hpp"
#include "net/http.hpp"

namespace tr::intel {

struct FeedSpec {
  std::string name, url, format = "auto";
  double min_valid = 0.5;
  int64_t max_bytes = 256ll << 20;
};

// enrich.feeds: [{name, url, format, min_valid, max_bytes}]. Throws UsageError with the
// config position for a bad entry (names are [A-Za-z0-9._-], not starting with a dot).
std::vector<FeedSpec> feeds_from_config(const Config& c);
// ${XDG_DATA_HOME:-~/.local/share}/tr/feeds
std::string feeds_dir();

struct FeedResult {
  std::string name;
  bool ok = false;
  bool not_modified = false;
  LoadStats stats;
  std::string error;  // when !ok; the last good copy is kept
};

// Downloads each feed; never throws for one feed's failure.
std::vector<FeedResult> update_feeds(const std::vector<FeedSpec>& feeds, net::Client& client,
                                     const std::string& dir, int64_t timeout_ms);

// Checks a downloaded body as a feed in `format`: empty when it is good, else the reason.
std::string check_feed(std::string_view body, const FeedSpec& feed, LoadStats* stats);

}  // namespace tr::intel
