// Helpers shared by the tr-incident sources (not part of the module's interface).
#pragma once
#include <optional>
#include <string>

#include "cli/tool.hpp"
#include "record/record.hpp"
#include "store/cases.hpp"
#include "store/store.hpp"

namespace tr::incident::detail {

// The incident as a record (design.md "incident"), from its row; `alerts` filled in by caller.
Json incident_json(const store::IncidentRow& row);
// Resolves an id or unique prefix; throws UsageError when there is no such incident.
std::string must_resolve(store::CaseStore& cases, const std::string& id);
// Priority P1..P4 -> 0..3 (anything else 3).
int priority_index(const std::string& p);
std::optional<std::string> rfc3339_or_null(const std::optional<int64_t>& t);
// Writes the columns analysts and imports change (title, severity, priority, tags, seen times)
// back into the stored record, which tr-correlate reads when a new alert joins the incident.
void sync_record(store::IncidentRow& row);
// Timeline event + audit entry for one change, in the caller's transaction.
void record_change(cli::Context& ctx, store::CaseStore& cases, const std::string& id,
                   const std::string& event, const Json& detail);
// Moves everything of incident `from` into `into` (alerts, verdicts, actions, blocks,
// indicators, tags, seen times, severity) and closes `from` as a duplicate of `into`, with
// both timeline events, in the caller's transaction. Both ids must exist.
void merge_rows(cli::Context& ctx, store::CaseStore& cases, const std::string& into,
                const std::string& from);

}  // namespace tr::incident::detail
