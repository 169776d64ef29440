// `tr-enrich recheck --older 6h`: files are checked not once but repeatedly. Every file hash
// VirusTotal answered as unknown or clean is remembered (reputation.hpp, kRecheckSource); this
// asks again about those last checked at least `older` ago, and for each one whose verdict
// changed to suspicious or malicious writes an alert record (then forgets the hash). Hashes
// still unknown or clean are kept, with the check time moved on, until recheck_for runs out.
#pragma once
#include <cstdint>

#include "cli/tool.hpp"
#include "intel/enrich.hpp"
#include "intel/reputation.hpp"

namespace tr::intel {

struct RecheckStats {
  std::size_t checked = 0, changed = 0, failed = 0;
};

// The alert written for a changed verdict (before enrichment).
std::string recheck_alert(const std::string& type, const std::string& hash,
                          const std::string& old_verdict, int64_t first_seen,
                          const VtVerdict& now_verdict, int64_t now);

RecheckStats run_recheck(cli::Context& ctx, IntelServices& services, Enricher& enricher,
                         int64_t older_ms);

}  // namespace tr::intel
