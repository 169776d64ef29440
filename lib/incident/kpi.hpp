// KPI arithmetic, separate from the store so it can be tested on hand-made rows.
#pragma once
#include <vector>

#include "incident/incident.hpp"

namespace tr::incident {

struct KpiResult {
  int64_t incidents = 0;
  std::vector<int64_t> detect, triage, contain, resolve;  // durations (ms) where reached
  int64_t triage_breached[4] = {}, contain_breached[4] = {}, resolve_breached[4] = {};
};

KpiResult compute_kpi(const std::vector<store::KpiRow>& rows, const SlaTargets& sla, int64_t now);

}  // namespace tr::incident
