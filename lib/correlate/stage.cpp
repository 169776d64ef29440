#include "correlate/stage.hpp"

#include "core/error.hpp"
#include "store/correlate.hpp"
#include "store/store.hpp"

namespace tr::correlate {

namespace {

class StoreSource : public IncidentSource {
 public:
  explicit StoreSource(store::Db& db) : q_(db) {}
  std::vector<std::string> incidents_with(const std::string& type,
                                          const std::string& value) override {
    return q_.open_incidents_with(type, value);
  }
  std::optional<std::string> incident_of_alert(const std::string& alert_id) override {
    return q_.open_incident_of_alert(alert_id);
  }
  std::unique_ptr<StoredIncident> load(const std::string& id) override {
    auto row = q_.open_incident(id);
    if (!row) return nullptr;
    auto inc = std::make_unique<StoredIncident>();
    inc->id = row->id;
    try {
      inc->record = Json::parse(row->record);
    } catch (const std::exception&) {
      inc->record = Json::object();
    }
    if (!inc->record.is_object()) inc->record = Json::object();
    bool have_time = false;
    auto note = [&](time::Millis t) {
      if (!have_time) inc->first_seen = inc->last_seen = t, have_time = true;
      inc->first_seen = std::min(inc->first_seen, t);
      inc->last_seen = std::max(inc->last_seen, t);
    };
    if (row->first_seen) note(*row->first_seen);
    if (row->last_seen) note(*row->last_seen);
    for (auto& a : q_.alerts_of(id)) {
      inc->alert_ids.push_back(a.id);
      if (!a.record) continue;
      try {
        AlertInfo info = reader_.read(*a.record, false);
        info.from_store = true;
        note(info.ts);
        inc->alerts.push_back(std::move(info));
      } catch (const Error&) {
        // A stored alert we cannot read still counts by its id.
      }
    }
    if (!have_time) return nullptr;  // nothing to place it in time: it cannot join
    return inc;
  }

 private:
  store::CorrelateQueries q_;
  AlertReader reader_;
};

}  // namespace

std::unique_ptr<IncidentSource> store_source(cli::Context& ctx, const Options& opt) {
  (void)opt;
  return std::make_unique<StoreSource>(ctx.store().db());
}

NeverLink load_never_link(const Options& opt,
                          const std::function<void(const std::string&)>& warn) {
  NeverLink n;
  for (const auto& v : opt.never_link_values) n.add(v, "config correlate.never_link: ");
  for (const auto& f : opt.never_link_files) n.load_file(f);
  if (!opt.warninglists.empty()) {
    std::vector<std::string> warnings;
    n.load_warninglists(opt.warninglists, warnings);
    for (const auto& w : warnings) warn(w);
  }
  return n;
}

CorrelateStage::CorrelateStage(const Options& opt, const NeverLink& never, IncidentSource* store,
                               cli::Context& ctx)
    : ctx_(ctx),
      opt_(opt),
      correlator_(opt, never, store,
                  [this](const std::string& incident, std::vector<AlertInfo>& alerts,
                         std::string_view json) {
                    if (!opt_.incidents_only)
                      for (const auto& a : alerts) {
                        line_.clear();
                        append_with_incident(line_, a.text, incident);
                        sink_->emit_text(line_);
                      }
                    sink_->emit_text(json);
                  }) {}

void CorrelateStage::on_line(std::string_view text, const SourcePos& /*pos*/, Sink& out) {
  sink_ = &out;
  if (reader_.parse(text) != "alert") {
    out.emit_text(text);  // other kinds pass through byte for byte
    return;
  }
  correlator_.add(reader_.read_parsed(text));
}

void CorrelateStage::on_end(Sink& out) {
  sink_ = &out;
  correlator_.finish();
  const Stats& s = correlator_.stats();
  if (s.late)
    ctx_.warn(std::to_string(s.late) + " alerts arrived more than --late behind the newest; "
              "they may have missed an incident already written");
  ctx_.info(std::to_string(s.alerts) + " alerts, " + std::to_string(s.incidents) + " incidents" +
            (s.joined ? ", " + std::to_string(s.joined) + " joined stored incidents" : ""));
}

}  // namespace tr::correlate
