// tr-ioc-check's commands over the matching engine: checking endpoint snapshots against IOCs
// (verdict per host), importing indicators into the store, and retro-hunting stored snapshots.
//
// Snapshot input, per file (or stdin), detected from the content:
//  - artifact records, one a line ({"kind":"artifact","host":..,"type":..,<osquery columns>});
//  - osquery daemon result lines (event, snapshot and batch formats);
//  - `osqueryi --json` output (one JSON array of rows) or one pretty-printed result object.
// Other kinds of records pass through unchanged; verdicts come at the end, one per host in the
// order hosts were first seen.
//
// Verdicts: infected when any strong hit (matcher.hpp, is_strong), suspicious when only weak
// hits, clean otherwise; every hit is listed with its evidence (indicator, source, incident,
// historic, the artifact as read, the field and value that matched). At most `max_matches`
// hits are listed per host; the rest are counted in "matches_omitted".
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "match/ioc_load.hpp"
#include "match/matcher.hpp"
#include "record/record.hpp"

namespace tr::cli {
class Context;
}

namespace tr::match {

// Per-host evidence and counts, built artifact by artifact.
class Checker {
 public:
  Checker(const Matcher& m, std::size_t max_matches = 1000) : m_(m), max_(max_matches) {}

  // Checks one artifact record (JSON object text). Throws RecordError for a record that is not
  // a usable artifact (no host, no type). Returns the host name.
  const std::string& check(std::string_view artifact_json);

  // One input line, parsed once: an artifact is checked (Artifact); a record of another kind
  // is left to the caller to pass through (Other); an object without "kind" (osquery output)
  // is Untyped. Throws RecordError for text that is not a JSON object or a bad artifact.
  enum class LineKind { Artifact, Other, Untyped };
  LineKind check_line(std::string_view json);
  // The type of the artifact last checked.
  const std::string& last_type() const { return last_type_; }
  std::size_t last_host() const { return last_host_; }

  struct Match {
    std::string json;  // the serialised match object; empty past max_matches (omitted)
    uint32_t indicator;
    bool strong;
  };
  struct Host {
    std::string name;
    std::map<std::string, int64_t, std::less<>> checked;  // artifact type -> count
    std::vector<Match> matches;  // every hit, in input order; listed ones first max_matches
    std::size_t listed = 0;
    bool strong = false, weak = false;
    std::string verdict() const { return strong ? "infected" : weak ? "suspicious" : "clean"; }
  };
  const std::deque<Host>& hosts() const { return hosts_; }
  // The verdict record of host i; `extra` is raw JSON members appended before "matches"
  // (e.g. "\"incident\":\"i-1\""). With `only` (indices into the host's matches), the verdict
  // and the list are of those matches alone.
  std::string verdict_json(std::size_t i, std::string_view extra = {},
                           const std::vector<std::size_t>* only = nullptr) const;
  // Decides, per host and indicator, whether a hit counts at all (retro-hunting drops findings
  // already reported). Called once per hit that survives the per-artifact deduplication.
  void set_filter(std::function<bool(const Host&, uint32_t indicator)> accept) {
    accept_ = std::move(accept);
  }
  void clear() {
    hosts_.clear();
    index_.clear();
  }

 private:
  const Matcher& m_;
  std::size_t max_;
  const std::string& check_object(const void* object, std::string_view text);
  std::deque<Host> hosts_;  // stable addresses: index_ keys are views of the names
  std::unordered_map<std::string_view, std::size_t> index_;
  std::string last_type_;
  std::size_t last_host_ = 0;
  std::function<bool(const Host&, uint32_t)> accept_;
};

// Converts osquery output (a results-log object, or osqueryi's array of rows) to artifact
// records. Rows without a host take `default_host`. Throws RecordError for JSON that is not
// osquery output.
void osquery_artifacts(std::string_view json_text, const std::string& default_host,
                       const std::function<void(const std::string&)>& emit);
// The artifact type of an osquery row, from the query name and the columns present.
std::string osquery_type(std::string_view query_name,
                         const std::function<bool(std::string_view)>& has_column);

struct CheckOptions {
  std::vector<std::string> iocs;  // IOC files ("-" = stdin)
  std::string ioc_format = "auto";
  int history = -1;               // -1: when a store exists; 0 off; 1 on
  std::string incident;           // put on verdicts (and on imported indicators)
  std::string host;               // for osqueryi output, which names no host
  std::size_t max_matches = 1000;
  bool keep = true;               // keep snapshots in the store for retro-hunting
  bool dry_run = false;           // retro: do not move the cursor
};

// Loads IOC files into `m`, reporting refusals through ctx (rejects) and warnings.
void load_into(cli::Context& ctx, Matcher& m, const std::vector<std::string>& files,
               const std::string& format, const std::string& incident);

// `tr-ioc-check [--iocs FILE]... [FILE...]`
void run_check(cli::Context& ctx, const CheckOptions& opt);
// `tr-ioc-check import FILE...`
void run_import(cli::Context& ctx, const std::vector<std::string>& files, const CheckOptions& opt);
// `tr-ioc-check retro`: stored snapshots against indicators imported since the last run;
// each finding (host x indicator) is reported and kept once, with a verdict per incident.
void run_retro(cli::Context& ctx, const CheckOptions& opt);
// `tr-ioc-check prune`: deletes stored snapshots beyond the newest `keep_per_host` per host
// (< 0: no limit) and those collected more than `older_ms` ago (<= 0: no limit).
void run_prune(cli::Context& ctx, int64_t keep_per_host, int64_t older_ms);

}  // namespace tr::match
