#include "match/check.hpp"

#include <simdjson.h>

#include <algorithm>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "jsonl/line_reader.hpp"
#include "record/json_out.hpp"
#include "store/indicators.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

namespace tr::match {
namespace {

simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// The indicator types an artifact field offers, by artifact type and field name (osquery's
// column names).
int field_types(std::string_view type, std::string_view key, Type (&out)[2]) {
  if (key == "sha256") return out[0] = Type::Sha256, 1;
  if (key == "sha1") return out[0] = Type::Sha1, 1;
  if (key == "md5") return out[0] = Type::Md5, 1;
  if (key == "sha512") return out[0] = Type::Sha512, 1;
  if (key == "remote_address") return out[0] = Type::Ip, 1;
  if (key == "key") return out[0] = Type::Registry, 1;
  if (key == "path") return out[0] = type == "registry" ? Type::Registry : Type::Path, 1;
  if (key == "cmdline" || key == "command" || key == "command_line" ||
      (key == "action" && type == "persistence"))
    return out[0] = Type::Process, 1;
  if (key == "filename") return out[0] = Type::Filename, 1;
  if (key == "program") return out[0] = Type::Path, 1;
  if (key == "url") return out[0] = Type::Url, 1;
  if (key == "domain" || (key == "query" && type == "dns")) return out[0] = Type::Domain, 1;
  if (key == "address" && type == "dns") return out[0] = Type::Ip, 1;
  if (key == "name") {
    if (type == "dns") return out[0] = Type::Domain, 1;
    if (type == "mutex") return out[0] = Type::Mutex, 1;
    if (type == "process" || type == "file" || type == "module" || type == "persistence")
      return out[0] = Type::Filename, 1;
    return 0;
  }
  if (key == "data" && type == "registry") {
    out[0] = Type::Process;
    out[1] = Type::Path;
    return 2;
  }
  return 0;
}

struct RawHit {
  Hit hit;
  std::string_view field, value;
};

}  // namespace

const std::string& Checker::check(std::string_view text) {
  simdjson::dom::element root;
  auto err = parser().parse(text.data(), text.size()).get(root);
  if (err) throw RecordError(std::string("not valid JSON: ") + simdjson::error_message(err));
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) throw RecordError("not a JSON object");
  return check_object(&obj, text);
}

Checker::LineKind Checker::check_line(std::string_view text) {
  simdjson::dom::element root;
  auto err = parser().parse(text.data(), text.size()).get(root);
  if (err) throw RecordError(std::string("not valid JSON: ") + simdjson::error_message(err));
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) throw RecordError("not a JSON object");
  std::string_view kind;
  if (obj["kind"].get(kind)) return LineKind::Untyped;
  if (kind != "artifact") return LineKind::Other;
  check_object(&obj, text);
  return LineKind::Artifact;
}

const std::string& Checker::check_object(const void* object, std::string_view text) {
  const simdjson::dom::object& obj = *static_cast<const simdjson::dom::object*>(object);
  thread_local std::vector<std::pair<std::string_view, std::string_view>> fields;
  fields.clear();
  std::string_view host, type;
  for (auto field : obj) {
    std::string_view v;
    if (field.value.get_string().get(v)) continue;
    if (field.key == "host") host = v;
    else if (field.key == "type") type = v;
    else if (field.key != "kind" && field.key != "collected") fields.emplace_back(field.key, v);
  }
  if (host.empty()) throw RecordError("artifact without a \"host\"");
  if (type.empty()) throw RecordError("artifact without a \"type\"");
  std::size_t hi;
  // A snapshot lists one host's artifacts together: try the last host before the map.
  if (last_host_ < hosts_.size() && hosts_[last_host_].name == host) {
    hi = last_host_;
  } else if (auto it = index_.find(host); it != index_.end()) {
    hi = it->second;
  } else {
    hi = hosts_.size();
    hosts_.push_back({});
    hosts_.back().name = std::string(host);
    index_.emplace(hosts_.back().name, hi);
  }
  Host& h = hosts_[hi];
  auto c = h.checked.find(type);
  if (c == h.checked.end()) c = h.checked.emplace(std::string(type), 0).first;
  ++c->second;
  last_type_.assign(type);
  last_host_ = hi;

  thread_local std::vector<Hit> hits;
  thread_local std::vector<RawHit> raw;
  raw.clear();
  // The index is far larger than the cache: start every lookup of this record first, so
  // their memory latencies overlap, then match.
  for (const auto& [k, v] : fields) {
    Type ts[2];
    int n = field_types(type, k, ts);
    for (int i = 0; i < n; ++i) m_.prefetch(ts[i], v);
  }
  for (const auto& [k, v] : fields) {
    Type ts[2];
    int n = field_types(type, k, ts);
    for (int i = 0; i < n; ++i) {
      hits.clear();
      m_.match(ts[i], v, hits);
      for (const Hit& x : hits) raw.push_back({x, k, v});
    }
    if (m_.has_regex()) {
      hits.clear();
      m_.match_text(v, hits);
      for (const Hit& x : hits) raw.push_back({x, k, v});
    }
  }
  if (raw.empty()) return h.name;
  // One hit per indicator per artifact; a current indicator hides a historic one with the same
  // type and value (the same IOC, seen again).
  std::vector<RawHit> keep;
  for (const RawHit& r : raw) {
    bool dup = false;
    IndicatorView iv = m_.indicator(r.hit.indicator);
    for (const RawHit& k : keep) {
      if (k.hit.indicator == r.hit.indicator) dup = true;
      IndicatorView kv = m_.indicator(k.hit.indicator);
      if (iv.origin->historic && !kv.origin->historic && kv.type == iv.type && kv.value == iv.value)
        dup = true;
    }
    if (!dup) keep.push_back(r);
  }
  keep.erase(std::remove_if(keep.begin(), keep.end(),
                            [&](const RawHit& r) {
                              IndicatorView iv = m_.indicator(r.hit.indicator);
                              if (!iv.origin->historic) return false;
                              for (const RawHit& k : keep) {
                                IndicatorView kv = m_.indicator(k.hit.indicator);
                                if (!kv.origin->historic && kv.type == iv.type &&
                                    kv.value == iv.value)
                                  return true;
                              }
                              return false;
                            }),
             keep.end());
  for (const RawHit& r : keep) {
    if (accept_ && !accept_(h, r.hit.indicator)) continue;
    IndicatorView iv = m_.indicator(r.hit.indicator);
    bool strong = is_strong(iv, r.hit.via);
    if (strong) h.strong = true;
    else h.weak = true;
    if (h.listed >= max_) {
      h.matches.push_back({std::string(), r.hit.indicator, strong});
      continue;
    }
    JsonOut o;
    o.begin_object();
    o.key("indicator").begin_object();
    o.field("type", type_name(iv.type));
    o.field("value", iv.value);
    o.field("source", iv.origin->source);
    if (!iv.origin->incident.empty()) o.field("incident", iv.origin->incident);
    o.end_object();
    o.key("artifact").raw(text);
    o.field("field", r.field);
    o.field("value", r.value);
    o.field("via", via_name(r.hit.via));
    o.field("strength", strong ? "strong" : "weak");
    o.field("historic", iv.origin->historic);
    o.end_object();
    h.matches.push_back({o.take(), r.hit.indicator, strong});
    ++h.listed;
  }
  return h.name;
}

std::string Checker::verdict_json(std::size_t i, std::string_view extra,
                                  const std::vector<std::size_t>* only) const {
  const Host& h = hosts_[i];
  bool strong = h.strong, weak = h.weak;
  if (only) {
    strong = weak = false;
    for (std::size_t k : *only) (h.matches[k].strong ? strong : weak) = true;
  }
  std::string out = "{\"kind\":\"verdict\",\"host\":";
  append_json_string(out, h.name);
  out += ",\"verdict\":";
  append_json_string(out, strong ? "infected" : weak ? "suspicious" : "clean");
  if (!extra.empty()) {
    out += ',';
    out += extra;
  }
  out += ",\"matches\":[";
  std::size_t listed = 0, omitted = 0;
  auto add = [&](const Match& m) {
    if (m.json.empty()) {
      ++omitted;
      return;
    }
    if (listed++) out += ',';
    out += m.json;
  };
  if (only) {
    for (std::size_t k : *only) add(h.matches[k]);
  } else {
    for (const Match& m : h.matches) add(m);
  }
  out += ']';
  if (omitted) out += ",\"matches_omitted\":" + std::to_string(omitted);
  out += ",\"checked\":{";
  bool first = true;
  for (const auto& [t, n] : h.checked) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, t);
    out += ':' + std::to_string(n);
  }
  out += "}}";
  return out;
}

// ---------------------------------------------------------------------------------------------
// osquery

std::string osquery_type(std::string_view name,
                         const std::function<bool(std::string_view)>& has) {
  std::string n(name);
  for (char& c : n)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  if (contains(n, "socket") || contains(n, "connection") || contains(n, "netstat"))
    return "connection";
  if (contains(n, "listening")) return "listening";
  if (contains(n, "registry")) return "registry";
  if (contains(n, "dns")) return "dns";
  if (contains(n, "startup") || contains(n, "scheduled") || contains(n, "crontab") ||
      contains(n, "autoexec") || contains(n, "services") || contains(n, "persistence") ||
      contains(n, "systemd"))
    return "persistence";
  if (contains(n, "process")) return "process";
  if (contains(n, "hash") || contains(n, "file")) return "file";
  if (has("remote_address")) return "connection";
  if (has("port") && has("address")) return "listening";
  if (has("key") && (has("data") || has("mtime"))) return "registry";
  if (has("cmdline")) return "process";
  if (has("action") && has("next_run_time")) return "persistence";
  if (has("sha256") || has("md5") || has("sha1") || (has("path") && has("mtime"))) return "file";
  if (has("name") && has("flags")) return "dns";
  if (has("pid") && has("name")) return "process";
  return "other";
}

namespace {

void osquery_row(simdjson::dom::object row, std::string_view host, std::string_view collected,
                 std::string_view query, const std::function<void(const std::string&)>& emit) {
  auto has = [&](std::string_view col) {
    simdjson::dom::element e;
    return !row[col].get(e);
  };
  std::string type = osquery_type(query, has);
  JsonOut o;
  o.begin_object();
  o.field("kind", "artifact");
  o.field("host", host);
  if (!collected.empty()) o.field("collected", collected);
  o.field("type", type);
  if (!query.empty()) o.field("query", query);
  for (auto f : row) {
    if (f.key == "kind" || f.key == "host" || f.key == "type" || f.key == "collected" ||
        f.key == "query")
      continue;
    o.key(f.key);
    std::string_view s;
    if (!f.value.get_string().get(s)) o.value(s);
    else o.raw(simdjson::to_string(f.value));
  }
  o.end_object();
  emit(o.str());
}

std::string str_of(simdjson::dom::element e, std::string_view key) {
  simdjson::dom::element v;
  if (e[key].get(v)) return "";
  std::string_view s;
  if (!v.get_string().get(s)) return std::string(s);
  int64_t n;
  if (!v.get_int64().get(n)) return std::to_string(n);
  uint64_t u;
  if (!v.get_uint64().get(u)) return std::to_string(u);
  return "";
}

}  // namespace

void osquery_artifacts(std::string_view text, const std::string& default_host,
                       const std::function<void(const std::string&)>& emit) {
  simdjson::dom::parser p;
  simdjson::dom::element root;
  auto err = p.parse(text.data(), text.size()).get(root);
  if (err) throw RecordError(std::string("not valid JSON: ") + simdjson::error_message(err));
  simdjson::dom::array rows;
  if (!root.get_array().get(rows)) {  // osqueryi --json: rows with no host
    if (default_host.empty())
      throw RecordError("osqueryi output names no host; give one with --host");
    for (auto r : rows) {
      simdjson::dom::object o;
      if (r.get_object().get(o)) throw RecordError("osquery row is not an object");
      osquery_row(o, default_host, "", "", emit);
    }
    return;
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) throw RecordError("not a JSON object");
  std::string host = str_of(root, "hostIdentifier");
  if (host.empty()) host = str_of(root, "hostname");
  if (host.empty()) {
    simdjson::dom::element d;
    if (!root["decorations"].get(d)) host = str_of(d, "hostname");
  }
  if (host.empty()) host = default_host;
  if (host.empty()) throw RecordError("osquery result names no host (hostIdentifier)");
  std::string collected;
  std::string unix_time = str_of(root, "unixTime");
  if (auto t = time::parse_epoch(unix_time)) collected = time::format_rfc3339(*t);
  std::string name = str_of(root, "name");
  std::string action = str_of(root, "action");
  simdjson::dom::element e;
  bool any = false;
  if (!root["columns"].get(e)) {
    any = true;
    simdjson::dom::object o;
    if (e.get_object().get(o)) throw RecordError("osquery \"columns\" is not an object");
    if (action != "removed") osquery_row(o, host, collected, name, emit);
  }
  if (!root["snapshot"].get(e)) {
    any = true;
    simdjson::dom::array a;
    if (e.get_array().get(a)) throw RecordError("osquery \"snapshot\" is not an array");
    for (auto r : a) {
      simdjson::dom::object o;
      if (!r.get_object().get(o)) osquery_row(o, host, collected, name, emit);
    }
  }
  if (!root["diffResults"].get(e)) {
    any = true;
    simdjson::dom::element added;
    simdjson::dom::array a;
    if (!e["added"].get(added) && !added.get_array().get(a))
      for (auto r : a) {
        simdjson::dom::object o;
        if (!r.get_object().get(o)) osquery_row(o, host, collected, name, emit);
      }
  }
  if (!any) throw RecordError("not an artifact record or osquery result");
}

// ---------------------------------------------------------------------------------------------
// Commands

void load_into(cli::Context& ctx, Matcher& m, const std::vector<std::string>& files,
               const std::string& format, const std::string& incident) {
  IocHandler h;
  h.on_indicator = [&](const IocCandidate& c) -> std::string {
    std::string why = m.add(c.type, c.value, c.source, c.incident, false, c.first_seen);
    if (why.empty()) return "";
    return "\"" + cli::term_safe(c.value, 80) + "\": " + why;
  };
  h.on_problem = [&](Problem p, const std::string& where, const std::string& msg) {
    std::string text = cli::term_safe(where, 200) + ": " + cli::term_safe(msg, 300);
    if (p == Problem::Rejected) ctx.reject(SourcePos{cli::term_safe(where, 200), 0}, cli::term_safe(msg, 300));
    else if (p == Problem::Unsupported) ctx.warn(text);
    else ctx.debug(text);
  };
  h.on_size_hint = [&](std::size_t n) { m.reserve(m.size() + n); };
  for (const auto& f : files) {
    LoadReport r = load_iocs(f, h, format, incident);
    ctx.info(f + ": " + std::to_string(r.taken) + " indicators (" + r.format + "), " +
             std::to_string(r.rejected) + " rejected, " + std::to_string(r.unsupported) +
             " unsupported, " + std::to_string(r.skipped) + " skipped");
    if (r.taken == 0 && r.rejected == 0 && r.unsupported == 0)
      ctx.warn(cli::term_safe(f) + ": no indicators found");
  }
}

namespace {

bool history_on(cli::Context& ctx, const CheckOptions& opt) {
  return opt.history == 1 || (opt.history == -1 && ctx.store_exists());
}

void load_history(cli::Context& ctx, Matcher& m) {
  store::IndicatorStore is(ctx.store().db());
  std::size_t n = 0, bad = 0;
  is.each(0, [&](const store::IndicatorRow& r) {
    auto t = parse_type(r.type);
    if (!t || !m.add(*t, r.value, r.source, r.incident, true, r.first_seen).empty()) ++bad;
    else ++n;
    return true;
  });
  ctx.info("history: " + std::to_string(n) + " stored indicators" +
           (bad ? " (" + std::to_string(bad) + " no longer valid, not used)" : ""));
}

// Reads every input as artifact records, osquery result lines or one osquery JSON document,
// calling `artifact` for each artifact record text and `other` for lines of other kinds.
// Note: tr-ingest collects multi-line JSON documents in its own stage too; a shared document
// reader in lib/cli (lead's foundation) should serve both. Not unified yet.
void read_snapshots(cli::Context& ctx, const std::string& default_host, Checker& checker,
                    const std::function<void(std::string_view, const SourcePos&)>& artifact,
                    const std::function<void(std::string_view)>& other) {
  constexpr std::size_t kMaxDocument = 512u << 20;
  std::vector<std::string> inputs = ctx.inputs();
  if (inputs.empty()) inputs.push_back("-");
  simdjson::dom::parser kind_parser;
  for (const auto& path : inputs) {
    auto reader = jsonl::LineReader::open(path, ctx.max_line());
    jsonl::Line line;
    bool first = true;
    std::string doc;
    bool doc_mode = false;
    SourcePos doc_pos;
    while (!ctx.interrupted() && reader.next(line)) {
      SourcePos pos{reader.name(), line.number};
      if (doc_mode) {
        if (doc.size() + line.text.size() + 1 > kMaxDocument) {
          ctx.reject(doc_pos, "JSON document larger than 512 MiB");
          doc.clear();
          doc_mode = false;
          break;
        }
        doc.append(line.text);
        doc += '\n';
        continue;
      }
      if (line.too_long) {
        ctx.count_read();
        ctx.reject(pos, "line is longer than " + std::to_string(ctx.max_line()) + " bytes");
        continue;
      }
      std::string_view t = line.text;
      while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
      if (t.empty()) continue;
      if (first) {
        first = false;
        // A pretty-printed document: osqueryi's array, or one result object over many lines.
        bool whole = t.front() == '[';
        if (!whole && t.front() == '{') {
          simdjson::dom::element e;
          whole = kind_parser.parse(t.data(), t.size()).get(e) != simdjson::SUCCESS;
        }
        if (whole) {
          doc_mode = true;
          doc_pos = pos;
          doc.assign(t);
          doc += '\n';
          continue;
        }
      }
      ctx.count_read();
      try {
        switch (checker.check_line(t)) {
          case Checker::LineKind::Artifact: artifact(t, pos); break;
          case Checker::LineKind::Other: other(t); break;
          case Checker::LineKind::Untyped:
            osquery_artifacts(t, default_host, [&](const std::string& a) {
              checker.check(a);
              artifact(a, pos);
            });
            break;
        }
      } catch (const RecordError& e) {
        ctx.reject(pos, e.what());
      }
      if ((line.number & 1023) == 0) ctx.progress(ctx.read(), reader.bytes_read());
    }
    if (doc_mode && !doc.empty()) {
      ctx.count_read();
      try {
        osquery_artifacts(doc, default_host, [&](const std::string& a) {
          checker.check(a);
          artifact(a, doc_pos);
        });
      } catch (const RecordError& e) {
        ctx.reject(doc_pos, e.what());
      }
    }
  }
  ctx.end_progress();
}

// Keeps snapshots (one per host per run) in the store, in batched transactions.
class SnapshotKeeper {
 public:
  explicit SnapshotKeeper(store::Store& s) : store_(s), is_(s.db()) {}
  // Without finish() (an exception): the open transaction rolls back.
  void add(const std::string& host, std::string_view type, std::string_view text,
           int64_t collected) {
    if (!tx_) tx_ = std::make_unique<store::Transaction>(store_.db());
    auto it = snaps_.find(host);
    if (it == snaps_.end()) {
      int64_t now = time::now();
      it = snaps_.emplace(host, Snap{is_.begin_snapshot(host, now, now), 0, 0}).first;
    }
    // The snapshot was taken when its newest artifact was collected (else: when checked).
    if (collected > it->second.collected) it->second.collected = collected;
    is_.add_artifact(it->second.id, it->second.count++, std::string(type), text);
    if (++pending_ >= 5000) {
      tx_->commit();
      tx_.reset();
      pending_ = 0;
    }
  }
  // Ends the snapshots; the caller commits the transaction this leaves open (with the
  // verdicts and findings of the same run).
  store::Transaction& finish() {
    if (!tx_) tx_ = std::make_unique<store::Transaction>(store_.db());
    for (const auto& [h, s] : snaps_) is_.finish_snapshot(s.id, s.count, s.collected);
    return *tx_;
  }
  int64_t snapshot_of(const std::string& host) const {
    auto it = snaps_.find(host);
    return it == snaps_.end() ? 0 : it->second.id;
  }
  store::IndicatorStore& indicators() { return is_; }

 private:
  struct Snap {
    int64_t id;
    int64_t count;
    int64_t collected;
  };
  store::Store& store_;
  store::IndicatorStore is_;
  std::unique_ptr<store::Transaction> tx_;
  std::unordered_map<std::string, Snap> snaps_;
  std::size_t pending_ = 0;
};

// The "collected" time of an artifact record (RFC 3339), or 0.
int64_t collected_of(std::string_view text) {
  std::size_t k = text.find("\"collected\":\"");
  if (k == std::string_view::npos) return 0;
  k += 13;
  std::size_t e = text.find('"', k);
  if (e == std::string_view::npos) return 0;
  auto t = time::parse_rfc3339(text.substr(k, e - k));
  return t ? *t : 0;
}

store::Finding finding_of(const Matcher& m, const std::string& host, uint32_t indicator,
                          int64_t snapshot_id) {
  IndicatorView iv = m.indicator(indicator);
  return {host, std::string(type_name(iv.type)), std::string(iv.value), iv.origin->source,
          iv.origin->incident, snapshot_id};
}

std::string incident_member(const std::string& incident) {
  if (incident.empty()) return "";
  std::string out = "\"incident\":";
  append_json_string(out, incident);
  return out;
}

}  // namespace

void run_check(cli::Context& ctx, const CheckOptions& opt) {
  Matcher m;
  bool history = history_on(ctx, opt);
  if (opt.iocs.empty() && !history)
    throw UsageError("no indicators: give --iocs FILE (or import some and use --history)");
  bool iocs_stdin = std::find(opt.iocs.begin(), opt.iocs.end(), "-") != opt.iocs.end();
  bool snap_stdin = ctx.inputs().empty() ||
                    std::find(ctx.inputs().begin(), ctx.inputs().end(), "-") != ctx.inputs().end();
  if (iocs_stdin && snap_stdin)
    throw UsageError("--iocs - reads standard input: name the snapshot files");
  load_into(ctx, m, opt.iocs, opt.ioc_format, "");
  if (history) load_history(ctx, m);
  m.finish();
  if (m.size() == 0) ctx.warn("no usable indicators; every host will be clean");
  ctx.info(std::to_string(m.size()) + " indicators loaded");
  std::unique_ptr<SnapshotKeeper> keep;
  if (opt.keep && ctx.store_exists()) keep = std::make_unique<SnapshotKeeper>(ctx.store());
  Checker checker(m, opt.max_matches);
  read_snapshots(
      ctx, opt.host, checker,
      [&](std::string_view text, const SourcePos&) {
        // Checked already; keep it for retro-hunting.
        if (keep)
          keep->add(checker.hosts()[checker.last_host()].name, checker.last_type(), text,
                    collected_of(text));
      },
      [&](std::string_view other) { ctx.out().line(other); });
  if (ctx.interrupted()) return;
  int64_t now = time::now();
  std::string extra = incident_member(opt.incident);
  store::Transaction* tx = keep ? &keep->finish() : nullptr;
  for (std::size_t i = 0; i < checker.hosts().size(); ++i) {
    const auto& h = checker.hosts()[i];
    std::string v = checker.verdict_json(i, extra);
    if (h.strong) ctx.note_finding();
    if (keep) {
      // Reported now, so retro-hunting will not report these again.
      int64_t snap = keep->snapshot_of(h.name);
      for (const auto& x : h.matches)
        keep->indicators().add_finding(finding_of(m, h.name, x.indicator, snap), now);
      keep->indicators().save_verdict(h.name, now, h.verdict(), opt.incident, v);
    }
    ctx.out().line(v);
  }
  if (tx) tx->commit();
  if (ctx.rejected() > 0)
    ctx.error(std::to_string(ctx.rejected()) + " records rejected");
}

void run_import(cli::Context& ctx, const std::vector<std::string>& files, const CheckOptions& opt) {
  if (files.empty()) throw UsageError("import: name at least one IOC file (\"-\" for stdin)");
  store::Store& st = ctx.store();
  store::IndicatorStore is(st.db());
  int64_t now = time::now();
  for (const auto& f : files) {
    std::size_t fresh = 0;
    store::Transaction tx(st.db());
    IocHandler h;
    h.on_indicator = [&](const IocCandidate& c) -> std::string {
      Canonical cv = canonicalise(c.type, c.value);
      if (!cv.error.empty()) return "\"" + cli::term_safe(c.value, 80) + "\": " + cv.error;
      Type t = c.type;
      if (t == Type::Ip && cv.value.find('/') != std::string::npos) t = Type::Cidr;
      if (t == Type::Cidr && cv.value.find('/') == std::string::npos) t = Type::Ip;
      std::string inc = c.incident.empty() ? opt.incident : std::string(c.incident);
      if (is.upsert(std::string(type_name(t)), cv.value, std::string(c.source), inc, c.first_seen, now))
        ++fresh;
      return "";
    };
    h.on_problem = [&](Problem p, const std::string& where, const std::string& msg) {
      std::string text = cli::term_safe(where, 200) + ": " + cli::term_safe(msg, 300);
      if (p == Problem::Rejected) ctx.reject(SourcePos{cli::term_safe(where, 200), 0}, cli::term_safe(msg, 300));
      else if (p == Problem::Unsupported) ctx.warn(text);
      else ctx.debug(text);
    };
    LoadReport r = load_iocs(f, h, opt.ioc_format, opt.incident);
    JsonOut d;
    d.begin_object().field("file", f).field("format", r.format);
    d.field("indicators", static_cast<int64_t>(r.taken)).field("new", static_cast<int64_t>(fresh));
    if (!opt.incident.empty()) d.field("incident", opt.incident);
    d.end_object();
    st.audit(ctx.actor(), "ioc.import", f, d.str());
    tx.commit();
    ctx.info("imported " + std::to_string(r.taken) + " indicators from " + cli::term_safe(f) +
             " (" + std::to_string(fresh) + " new, " + r.format + ")");
  }
}

void run_retro(cli::Context& ctx, const CheckOptions& opt) {
  if (!ctx.store_exists()) throw UsageError("retro: no store at " + ctx.store_path());
  store::Store& st = ctx.store();
  store::IndicatorStore is(st.db());
  int64_t after = 0;
  if (auto c = st.cursor("ioc-check.retro")) after = std::atoll(c->c_str());
  int64_t newest = is.max_id();
  Matcher m;
  std::size_t bad = 0;
  is.each(after, [&](const store::IndicatorRow& r) {
    auto t = parse_type(r.type);
    if (!t || !m.add(*t, r.value, r.source, r.incident, false, r.first_seen).empty()) ++bad;
    return true;
  });
  m.finish();
  ctx.info("retro: " + std::to_string(m.size()) + " indicators imported since the last run");
  int64_t now = time::now();
  std::size_t reported = 0, known = 0;
  if (m.size() > 0) {
    std::vector<store::SnapshotRow> snaps;
    is.each_snapshot([&](const store::SnapshotRow& s) {
      snaps.push_back(s);
      return true;
    });
    // A finding (host x indicator) is reported once: in the oldest stored snapshot that holds
    // it, with every artifact of that snapshot that matched, and never again in later runs or
    // later snapshots. Each snapshot's findings and verdicts are one transaction; a dry run
    // rolls them back.
    int64_t current = 0;
    std::unordered_map<std::string, int64_t> taken;  // host \x1f indicator -> snapshot
    for (const auto& s : snaps) {
      if (ctx.interrupted()) return;
      store::Transaction tx(st.db());
      current = s.id;
      Checker checker(m, opt.max_matches);
      checker.set_filter([&](const Checker::Host& h, uint32_t indicator) {
        std::string key = h.name + '\x1f' + std::to_string(indicator);
        if (auto it = taken.find(key); it != taken.end()) return it->second == current;
        bool fresh = is.add_finding(finding_of(m, h.name, indicator, current), now);
        taken.emplace(std::move(key), fresh ? current : 0);
        if (!fresh) ++known;
        return fresh;
      });
      is.each_artifact(s.id, [&](std::string_view text) {
        try {
          checker.check(text);
        } catch (const RecordError&) {
          // Stored snapshots were checked when kept; nothing to report twice.
        }
        return !ctx.interrupted();
      });
      std::string snap = ",\"snapshot\":{\"id\":" + std::to_string(s.id) +
                         ",\"collected\":\"" + time::format_rfc3339(s.collected) + "\"}";
      for (std::size_t i = 0; i < checker.hosts().size(); ++i) {
        const auto& h = checker.hosts()[i];
        if (h.matches.empty()) continue;
        // One verdict per incident the new findings belong to, so each incident shows its own.
        std::vector<std::pair<std::string, std::vector<std::size_t>>> groups;
        for (std::size_t k = 0; k < h.matches.size(); ++k) {
          std::string inc = opt.incident.empty()
                                ? m.indicator(h.matches[k].indicator).origin->incident
                                : opt.incident;
          auto g = std::find_if(groups.begin(), groups.end(),
                                [&](const auto& x) { return x.first == inc; });
          if (g == groups.end()) g = groups.insert(groups.end(), {inc, {}});
          g->second.push_back(k);
        }
        for (const auto& [inc, only] : groups) {
          std::string extra = "\"retro\":true";
          if (!inc.empty()) extra += "," + incident_member(inc);
          std::string v = checker.verdict_json(i, extra + snap, &only);
          bool strong = std::any_of(only.begin(), only.end(),
                                    [&](std::size_t k) { return h.matches[k].strong; });
          if (strong) ctx.note_finding();
          is.save_verdict(h.name, now, strong ? "infected" : "suspicious", inc, v);
          ctx.out().line(v);
          reported += only.size();
        }
      }
      if (!opt.dry_run) tx.commit();
    }
  }
  ctx.info("retro: " + std::to_string(reported) + " new matches reported, " +
           std::to_string(known) + " findings already reported before");
  if (!opt.dry_run && newest > after) {
    store::Transaction tx(st.db());
    st.set_cursor("ioc-check.retro", std::to_string(newest), time::now());
    tx.commit();
  }
}

void run_prune(cli::Context& ctx, int64_t keep_per_host, int64_t older_ms) {
  if (keep_per_host < 0 && older_ms <= 0)
    throw UsageError("prune: say what to delete with --keep N and/or --older AGE");
  if (!ctx.store_exists()) throw UsageError("prune: no store at " + ctx.store_path());
  store::Store& st = ctx.store();
  store::IndicatorStore is(st.db());
  int64_t before = older_ms > 0 ? time::now() - older_ms : 0;
  store::Transaction tx(st.db());
  int64_t n = is.prune_snapshots(keep_per_host, before);
  JsonOut d;
  d.begin_object();
  if (keep_per_host >= 0) d.field("keep", keep_per_host);
  if (before > 0) d.field("collected_before", time::format_rfc3339(before));
  d.field("deleted", n).end_object();
  st.audit(ctx.actor(), "ioc.prune", "snapshots", d.str());
  tx.commit();
  ctx.info("pruned " + std::to_string(n) + " stored snapshots");
}

}  // namespace tr::match
