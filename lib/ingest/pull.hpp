// Pulling alerts from vendor APIs (tr-ingest --from): Proofpoint TAP SIEM API and Splunk's
// search export, over lib/net (retries with backoff, Retry-After, --offline).
//
// A cron job runs the same command every few minutes: each run starts where the last one
// stopped, from a cursor kept in the case store ("ingest.tap", "ingest.splunk:<search>"),
// and moves the cursor only after a window's alerts were written, so an interrupted run
// repeats at most one window (ids are stable: the store deduplicates). 401/403 stop the run
// with a message naming the credentials to check (status 4).
#pragma once
#include <string>

#include "cli/tool.hpp"
#include "ingest/ingest.hpp"

namespace tr::ingest {

struct PullOptions {
  std::string source;  // "tap" or "splunk"
  std::string since;   // first run: how far back ("1h"); later runs resume from the cursor
  std::string search;  // splunk: the search ("search index=ids ..." or "| ...")
  std::string url;     // API base URL; default from TR_TAP_URL / TR_SPLUNK_URL / config
};

void pull(cli::Context& ctx, IngestStage& stage, const PullOptions& opt);

}  // namespace tr::ingest
