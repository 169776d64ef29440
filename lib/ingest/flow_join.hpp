// Joining Suricata's http/dns/tls/fileinfo events to the alerts of the same flow (flow_id).
//
// Suricata writes a flow's context as events of their own, before the alert (a DNS query, a
// TLS handshake) or after it (the HTTP transaction and the file are logged when they end). So
// the join looks both ways, with bounded memory:
//  - context seen before an alert is kept per flow in a table of at most `max_flows` flows,
//    the least recently used dropped first;
//  - each Suricata alert with a flow_id is held back for `window` input lines (or while the
//    held records stay under `max_bytes`), so context that comes after it can still be
//    merged; every record written behind a held one waits too, so output order is input
//    order. window 0 writes at once (only context seen before the alert is joined).
// A held alert keeps its written text and its raw line; when context for its flow arrives
// the owner re-parses the raw line and rewrites the text (rare, so the common path is one
// copy of two strings).
#pragma once
#include <cstdint>
#include <vector>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ingest/parsers.hpp"
#include "record/stage.hpp"

namespace tr::ingest {

class FlowJoin {
 public:
  struct Held {
    uint64_t seq = 0;
    std::size_t line = 0;
    std::string text, raw, flow_id;  // flow_id empty: a record queued behind a held alert
  };

  FlowJoin(std::size_t window, std::size_t max_flows, std::size_t max_bytes)
      : window_(window), max_flows_(max_flows), max_bytes_(max_bytes) {}

  bool holds_alerts() const { return window_ > 0; }
  bool holding() const { return count_ > 0; }

  // Context of a flow seen in its own event: remembered (merged with what is known).
  const FlowContext& remember(const FlowContext& c);
  // What is known of a flow, or nullptr.
  const FlowContext* context(const std::string& flow_id);

  // Queues a written record (an alert to hold when flow_id is set).
  void hold(std::string_view text, std::string_view raw, const std::string& flow_id,
            std::size_t line);
  // Calls fn on every held alert of the flow.
  void each_held(const std::string& flow_id, const std::function<void(Held&)>& fn);
  // Writes the records whose time is up at input line `line` (all of them with all=true).
  void release(std::size_t line, Sink& out, bool all);

 private:
  std::size_t window_, max_flows_, max_bytes_;
  std::list<FlowContext> lru_;  // most recent first
  std::unordered_map<std::string, std::list<FlowContext>::iterator> flows_;
  // The held records: a ring whose entries (and their strings' buffers) are reused, so
  // holding an alert costs two copies and no allocation once the ring has grown.
  Held& at(std::size_t i) { return ring_[(head_ + i) % ring_.size()]; }
  std::vector<Held> ring_;
  std::size_t head_ = 0, count_ = 0;
  std::unordered_multimap<uint64_t, uint64_t> held_;  // hash of flow_id -> seq of held alerts
  uint64_t next_seq_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace tr::ingest
