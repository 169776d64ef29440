// `audit verify` and `audit export` over the store's hash-chained audit trail.
#include "incident/incident.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

namespace tr::incident {

void audit_verify(cli::Context& ctx, const std::string& anchor) {
  store::Store& st = ctx.store();
  std::string prev(64, '0');
  int64_t expect_seq = 1, checked = 0, broken = 0;
  bool anchor_seen = anchor.empty();
  st.each_audit([&](const store::AuditEntry& e) {
    ++checked;
    if (e.seq != expect_seq) {
      std::string gone = e.seq - 1 == expect_seq
                             ? "entry " + std::to_string(expect_seq) + " is"
                             : "entries " + std::to_string(expect_seq) + ".." +
                                   std::to_string(e.seq - 1) + " are";
      ctx.error("audit entry " + std::to_string(e.seq) + ": " + gone + " missing (deleted)");
      ++broken;
    } else if (e.prev_hash != prev) {
      ctx.error("audit entry " + std::to_string(e.seq) +
                ": does not chain to entry " + std::to_string(e.seq - 1) +
                " (an earlier entry was edited or deleted)");
      ++broken;
    }
    if (store::Store::audit_hash(e) != e.hash) {
      ctx.error("audit entry " + std::to_string(e.seq) +
                ": contents do not match its hash (edited)");
      ++broken;
    }
    if (e.hash == anchor) anchor_seen = true;
    prev = e.hash;
    expect_seq = e.seq + 1;
    return true;
  });
  if (!anchor_seen) {
    ctx.error("audit anchor " + cli::term_safe(anchor, 64) +
              " is not in the trail: entries were removed from its end or rewritten");
    ++broken;
  }
  if (broken) {
    ctx.note_finding();
    ctx.error("audit trail is broken: " + std::to_string(broken) + " problem(s) in " +
              std::to_string(checked) + " entries");
  } else {
    ctx.info("audit trail intact: " + std::to_string(checked) + " entries");
  }
}

void audit_export(cli::Context& ctx) {
  ctx.store().each_audit([&](const store::AuditEntry& e) {
    Json detail = Json::parse(e.detail, nullptr, false);
    if (detail.is_discarded()) detail = e.detail;
    Json j = {{"kind", "audit"},  {"seq", e.seq},       {"ts", time::format_rfc3339(e.ts)},
              {"actor", e.actor}, {"action", e.action}, {"object", e.object},
              {"detail", detail}, {"prev_hash", e.prev_hash}, {"hash", e.hash}};
    ctx.out().line(j.dump(-1, ' ', false, Json::error_handler_t::replace));
    return true;
  });
}

}  // namespace tr::incident
