#include "ingest/flow_join.hpp"

#include <algorithm>

namespace tr::ingest {

const FlowContext& FlowJoin::remember(const FlowContext& c) {
  auto it = flows_.find(c.flow_id);
  if (it != flows_.end()) {
    // Newer events win: what this one says, then what was known.
    FlowContext merged = c;
    merged.merge(*it->second);
    *it->second = std::move(merged);
    lru_.splice(lru_.begin(), lru_, it->second);
    return *it->second;
  }
  lru_.push_front(c);
  flows_.emplace(c.flow_id, lru_.begin());
  while (flows_.size() > max_flows_) {
    flows_.erase(lru_.back().flow_id);
    lru_.pop_back();
  }
  return lru_.front();
}

const FlowContext* FlowJoin::context(const std::string& flow_id) {
  if (flows_.empty()) return nullptr;
  auto it = flows_.find(flow_id);
  return it == flows_.end() ? nullptr : &*it->second;
}

void FlowJoin::hold(std::string_view text, std::string_view raw, const std::string& flow_id,
                    std::size_t line) {
  if (count_ == ring_.size()) {
    // Grow: move the entries into a bigger ring, oldest first.
    std::vector<Held> bigger(std::max<std::size_t>(64, ring_.size() * 2));
    for (std::size_t i = 0; i < count_; ++i) bigger[i] = std::move(at(i));
    ring_ = std::move(bigger);
    head_ = 0;
  }
  Held& h = at(count_++);
  h.seq = next_seq_++;
  h.line = line;
  h.text.assign(text);
  h.raw.assign(raw);
  h.flow_id.assign(flow_id);
  bytes_ += h.text.size() + h.raw.size();
  if (!flow_id.empty()) held_.emplace(std::hash<std::string>{}(flow_id), h.seq);
}

void FlowJoin::each_held(const std::string& flow_id, const std::function<void(Held&)>& fn) {
  if (count_ == 0) return;
  auto [b, e] = held_.equal_range(std::hash<std::string>{}(flow_id));
  for (auto it = b; it != e; ++it) {
    uint64_t offset = it->second - at(0).seq;  // seqs are consecutive in the ring
    if (offset >= count_) continue;
    Held& h = at(offset);
    if (h.flow_id != flow_id) continue;  // another flow with the same hash
    std::size_t before = h.text.size();
    fn(h);
    bytes_ = bytes_ - before + h.text.size();
  }
}

void FlowJoin::release(std::size_t line, Sink& out, bool all) {
  while (count_ > 0) {
    Held& h = at(0);
    if (!all && h.line + window_ > line && bytes_ <= max_bytes_) break;
    out.emit_text(h.text);
    bytes_ -= h.text.size() + h.raw.size();
    if (!h.flow_id.empty()) {
      auto [b, e] = held_.equal_range(std::hash<std::string>{}(h.flow_id));
      for (auto it = b; it != e; ++it)
        if (it->second == h.seq) {
          held_.erase(it);
          break;
        }
    }
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
}

}  // namespace tr::ingest
