#include "ingest/ingest.hpp"

#include <cctype>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "time/time.hpp"
#include "ingest/json_util.hpp"
#include "ingest/parsers.hpp"

namespace tr::ingest {

const std::vector<FormatInfo>& formats() {
  static const std::vector<FormatInfo> all = {
      {Format::Auto, "auto", "recognise each line's format from its content (default)"},
      {Format::Eve, "eve", "Suricata EVE JSON alert events"},
      {Format::Cef, "cef", "ArcSight CEF, any vendor (FireEye/Trellix CEF mapped), syslog prefix or none"},
      {Format::Leef, "leef", "QRadar LEEF 1.0 and 2.0, syslog prefix or none"},
      {Format::Panos, "panos", "PAN-OS THREAT (url, virus, spyware, vulnerability, wildfire, ...) syslog CSV"},
      {Format::Ftd, "ftd", "Cisco Firepower/FTD intrusion, connection and file/malware syslog (4300xx)"},
      {Format::Tap, "tap", "Proofpoint TAP SIEM API JSON (messages and clicks, delivered/blocked/permitted)"},
      {Format::FireEye, "fireeye", "FireEye/Trellix NX/EX/CM/MAS alert notification JSON"},
      {Format::Ptr, "ptr", "Proofpoint Threat Response JSON Alert Source 2.0 documents"},
      {Format::Splunk, "splunk", "Splunk search export lines, alert webhook payloads and result rows (JSON)"},
      {Format::WildFire, "wildfire", "Palo Alto WildFire report XML (file verdict, hashes, network activity)"},
  };
  return all;
}

std::optional<Format> format_by_name(std::string_view name) {
  for (const auto& f : formats())
    if (f.name == name) return f.format;
  return std::nullopt;
}

std::string_view format_name(Format f) {
  for (const auto& x : formats())
    if (x.format == f) return x.name;
  return "?";
}

Format detect(std::string_view line, std::size_t& at) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos) return Format::Auto;
  at = i;
  if (line[i] == '{' || line[i] == '[') return Format::Eve;  // JSON; members decide (parse_json)
  // XML: a WildFire report (not a syslog "<134>" priority: that is followed by a digit).
  if (line.compare(i, 5, "<?xml") == 0 || line.compare(i, 9, "<wildfire") == 0)
    return Format::WildFire;
  // CEF/LEEF: at the start or after a syslog header (preceded by a space).
  for (std::size_t p = line.find("CEF:", i); p != std::string_view::npos;
       p = line.find("CEF:", p + 1)) {
    if ((p == i || line[p - 1] == ' ') && p + 4 < line.size() && line[p + 4] >= '0' &&
        line[p + 4] <= '9') {
      at = p;
      return Format::Cef;
    }
  }
  for (std::size_t p = line.find("LEEF:", i); p != std::string_view::npos;
       p = line.find("LEEF:", p + 1)) {
    if ((p == i || line[p - 1] == ' ') && p + 5 < line.size() && line[p + 5] >= '0' &&
        line[p + 5] <= '9') {
      at = p;
      return Format::Leef;
    }
  }
  // PAN-OS CSV: "<future use>,YYYY/MM/DD HH:MM:SS,<serial>,<TYPE>,..." after an optional
  // syslog header; the TYPE is an upper-case word.
  for (std::size_t p = line.find(',', i); p != std::string_view::npos && p < i + 256;
       p = line.find(',', p + 1)) {
    std::string_view d = line.substr(p + 1);
    if (d.size() > 21 && d[4] == '/' && d[7] == '/' && d[10] == ' ' && d[13] == ':' &&
        d[16] == ':' && d[19] == ',') {
      std::size_t start = line.rfind(' ', p);
      start = (start == std::string_view::npos || start < i) ? i : start + 1;
      std::size_t serial_end = d.find(',', 20);
      if (serial_end == std::string_view::npos) break;
      std::size_t type_end = d.find(',', serial_end + 1);
      std::string_view type = d.substr(serial_end + 1, type_end - serial_end - 1);
      bool upper = !type.empty();
      for (char c : type) upper = upper && ((c >= 'A' && c <= 'Z') || c == '_');
      if (upper) {
        at = start;
        return Format::Panos;
      }
      break;
    }
  }
  for (std::string_view tag : {"%FTD-", "%NGIPS-"}) {
    std::size_t p = line.find(tag, i);
    if (p != std::string_view::npos) {
      at = p;
      return Format::Ftd;
    }
  }
  return Format::Auto;
}

IngestStage::IngestStage(const Options& opt, std::string ingested)
    : keep_raw_(opt.keep_raw), join_(opt.join_window, kJoinFlows, kJoinBytes) {
  mappings_ = opt.mappings;
  for (const auto& m : mappings_) {
    if (m->name() == opt.format) forced_mapping_ = m.get();
    if (m->detectable()) (m->is_regex() ? regex_mappings_ : json_mappings_).push_back(m.get());
  }
  auto f = forced_mapping_ ? std::optional<Format>(Format::Mapping) : format_by_name(opt.format);
  if (!f) throw UsageError("unknown format \"" + cli::term_safe(opt.format) + "\"; see --list-formats");
  forced_ = *f;
  wc_.ingested = std::move(ingested);
  wc_.now = time::parse_rfc3339(wc_.ingested).value_or(time::now());
  padded_.reserve(4096);
  max_document_ = opt.max_document;
}

bool IngestStage::parse_json(std::string_view line, Alert& a) {
  simdjson::dom::element root;
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse from our own padded copy
  // (reused, so no allocation per line) instead of letting it allocate one each time.
  if (padded_.capacity() < line.size() + simdjson::SIMDJSON_PADDING)
    padded_.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  padded_.assign(line);
  auto err = parser_.parse(padded_.data(), padded_.size(), false).get(root);
  if (err) {
    if (err == simdjson::UTF8_ERROR) throw RecordError("invalid UTF-8");
    throw RecordError(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  if (root.is_array() && forced_ != Format::Eve) {
    // A JSON array of events (saved search results, an exported list): each is one event.
    bool any = false;
    simdjson::dom::array arr = json::array_of(root);
    for (simdjson::dom::element e : arr) {
      if (!e.is_object()) throw RecordError("JSON array holds a value that is not an object");
      a.clear();
      if (parse_json_value(e, line, a)) {
        emit(a);
        any = true;
      }
    }
    (void)any;
    a.clear();
    return false;
  }
  if (!root.is_object()) throw RecordError("not a JSON object");
  return parse_json_value(root, line, a);
}

// True when `a` holds one alert to write; vendor documents with several alerts write them
// through emit() themselves and return false.
bool IngestStage::parse_json_value(simdjson::dom::element root, std::string_view line, Alert& a) {
  if (forced_mapping_) return map_document(*forced_mapping_, root, line, a);
  if (forced_ == Format::Auto)
    for (const Mapping* m : json_mappings_)
      if (m->matches(root)) return map_document(*m, root, line, a);
  simdjson::dom::element x;
  if (forced_ == Format::Eve || (forced_ == Format::Auto && json::member(root, "event_type", x))) {
    if (parse_eve(root, line, a, &context_)) return true;
    if (!context_.flow_id.empty()) on_flow_context();
    return false;
  }
  std::size_t before = alerts_;
  bool any = parse_vendor_json(root, line, a, [&](Alert& al) { emit(al); });
  if (!any && alerts_ == before) return false;
  a.clear();
  return false;
}

// A JSON document through a mapping: its alerts are written here (a document may hold many).
bool IngestStage::map_document(const Mapping& m, simdjson::dom::element doc, std::string_view raw,
                               Alert& a) {
  skipped_ += m.map_json(doc, raw, a, [&](Alert& al) { emit(al); });
  a.clear();
  return false;
}

bool IngestStage::map_line(const Mapping& m, std::string_view line) {
  bool alert = false;
  if (!m.map_line(line, alert_, alert)) return false;
  raw_ = line;
  if (alert)
    emit(alert_);
  else
    ++skipped_;
  return true;
}

bool IngestStage::json_format(Format f) const {
  switch (f) {
    case Format::Eve:
    case Format::Tap:
    case Format::FireEye:
    case Format::Splunk:
    case Format::Ptr:
      return true;
    case Format::Mapping:
      return forced_mapping_ && !forced_mapping_->is_regex();
    default:
      return false;
  }
}

bool IngestStage::dispatch(Format f, std::string_view line, std::size_t at, Alert& a) {
  switch (f) {
    case Format::Eve:
    case Format::Tap:
    case Format::FireEye:
    case Format::Splunk:
    case Format::Ptr:
      return parse_json(line, a);
    case Format::Mapping:
      if (forced_mapping_ && forced_mapping_->is_regex()) {
        if (!map_line(*forced_mapping_, line))
          throw RecordError("line does not match the regex of mapping " + forced_mapping_->name());
        return false;
      }
      return parse_json(line, a);
    case Format::Cef:
      return parse_cef(line, at, a);
    case Format::WildFire:
      return parse_wildfire(line, a);
    case Format::Leef:
      return parse_leef(line, at, a);
    case Format::Panos:
      if (at >= line.size()) throw RecordError("not a PAN-OS CSV line");
      return parse_panos(line, at, a);
    case Format::Ftd:
      if (at >= line.size()) throw RecordError("not a Firepower/FTD line");
      return parse_ftd(line, at, a);
    default:
      throw RecordError("unrecognised format (try --format; --list-formats lists them)");
  }
}

void IngestStage::on_line(std::string_view text, const SourcePos& pos, Sink& out) {
  sink_ = &out;
  ++lines_;
  if (join_.holding()) join_.release(lines_, out, false);
  if (doc_xml_) {
    // Inside an XML document: a new document or another file means this one was cut short.
    std::string_view t = text.substr(std::min(text.find_first_not_of(" \t"), text.size()));
    // "<wildfire" starts a new document unless only the XML declaration came before it.
    auto has_element = [&] {
      for (std::size_t p = doc_.find('<'); p != std::string::npos; p = doc_.find('<', p + 1))
        if (p + 1 < doc_.size() && std::isalpha(static_cast<unsigned char>(doc_[p + 1]))) return true;
      return false;
    };
    bool new_document = t.rfind("<?xml", 0) == 0 || (t.rfind("<wildfire", 0) == 0 && has_element());
    if (pos.file != doc_pos_.file || new_document) {
      finish_document(out);
    } else {
      if (collect_xml(text)) finish_document(out);
      return;
    }
  }
  if (!doc_.empty() || doc_depth_ > 0) {
    // A complete JSON Lines record at the start of a line while collecting: what was being
    // collected was a broken line, not a document. Report it and go on with this line, so a
    // truncated line cannot swallow the rest of the file.
    std::string_view t = text;
    bool own_record = !t.empty() && t.front() == '{' && trim_view(t).back() == '}' &&
                      balanced(t);
    if (pos.file != doc_pos_.file || own_record) {
      finish_document(out);
    } else {
      if (collect(text, pos)) finish_document(out);
      return;
    }
  }
  alert_.clear();
  std::size_t at = 0;
  Format f = forced_;
  if (f == Format::Auto) {
    for (const Mapping* m : regex_mappings_)
      if (map_line(*m, text)) return;
    f = detect(text, at);
  } else if (!json_format(f) && f != Format::Mapping) {
    // A forced format still needs to know where its text starts (after a syslog header).
    Format seen = detect(text, at);
    if (seen != f) at = text.size();
  }
  if (f == Format::WildFire) {
    if (at >= text.size()) throw RecordError("not a WildFire report (XML)");  // forced, not XML
    doc_pos_ = pos;
    doc_.clear();
    doc_overflow_ = doc_xml_done_ = false;
    doc_xml_ = true;
    if (collect_xml(text)) finish_document(out);
    return;
  }
  if (json_format(f)) {
    // The first line of a pretty-printed document ("{", "[", "{\"alert\": [") starts
    // collecting; a JSON Lines record is complete on its line.
    std::string_view t = trim_view(text);
    if (t.size() < 200 && !t.empty() && (t.back() == '{' || t.back() == '[' || t.back() == ',')) {
      doc_pos_ = pos;
      doc_.clear();
      doc_depth_ = 0;
      doc_in_string_ = doc_escape_ = doc_overflow_ = false;
      if (collect(text, pos)) finish_document(out);
      return;
    }
  }
  raw_ = text;
  std::size_t before = alerts_, skipped_before = skipped_;
  if (dispatch(f, text, at, alert_))
    emit(alert_);
  else if (alerts_ == before && skipped_ == skipped_before)
    ++skipped_;
}

// True when the brackets of `t` (outside strings) balance.
bool IngestStage::balanced(std::string_view t) {
  int depth = 0;
  bool in_string = false, escape = false;
  for (char c : t) {
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth < 0) return false;
    }
  }
  return depth == 0 && !in_string;
}

bool IngestStage::collect(std::string_view text, const SourcePos&) {
  if (doc_.size() + text.size() + 1 > max_document_) {
    doc_overflow_ = true;
  } else {
    doc_.append(text);
    doc_.push_back('\n');
  }
  for (char c : text) {
    if (doc_in_string_) {
      if (doc_escape_) doc_escape_ = false;
      else if (c == '\\') doc_escape_ = true;
      else if (c == '"') doc_in_string_ = false;
    } else if (c == '"') {
      doc_in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++doc_depth_;
    } else if (c == '}' || c == ']') {
      --doc_depth_;
    }
  }
  return doc_depth_ <= 0;
}

bool IngestStage::collect_xml(std::string_view text) {
  if (doc_.size() + text.size() + 1 > max_document_) {
    doc_overflow_ = true;
  } else {
    doc_.append(text);
    doc_.push_back('\n');
  }
  if (text.find("</wildfire>") != std::string_view::npos) doc_xml_done_ = true;
  return doc_xml_done_;
}

void IngestStage::finish_document(Sink& out) {
  sink_ = &out;
  std::string doc = std::move(doc_);
  doc_.clear();
  bool xml = doc_xml_;
  bool complete = xml ? doc_xml_done_ : doc_depth_ <= 0, overflow = doc_overflow_;
  doc_xml_ = doc_xml_done_ = false;
  doc_depth_ = 0;
  doc_overflow_ = doc_in_string_ = doc_escape_ = false;
  std::string reason;
  if (overflow) {
    reason = std::string(xml ? "XML" : "JSON") + " document is larger than " +
             std::to_string(max_document_) + " bytes";
  } else if (!complete && !xml) {
    reason = "JSON document is not complete at end of input";
  } else {
    try {
      alert_.clear();
      raw_ = doc;
      std::size_t before = alerts_, skipped_before = skipped_;
      Format f = xml ? Format::WildFire : forced_ == Format::Auto ? Format::Tap : forced_;
      if (dispatch(f, doc, 0, alert_))
        emit(alert_);
      else if (alerts_ == before && skipped_ == skipped_before)
        ++skipped_;
      return;
    } catch (const RecordError& e) {
      // An XML document cut short fails to parse: say so rather than quote the parser.
      reason = e.what();
      if (xml && !complete && reason.rfind("not valid XML", 0) == 0)
        reason = "XML document is not complete (no </wildfire>)";
    }
  }
  if (reject) {
    reject(doc_pos_, reason);
    return;
  }
  throw RecordError(reason);
}

void IngestStage::on_document(std::string_view text, const SourcePos& pos, Sink& out) {
  sink_ = &out;
  try {
    alert_.clear();
    raw_ = text;
    std::size_t before = alerts_, skipped_before = skipped_;
    if (parse_json(text, alert_))
      emit(alert_);
    else if (alerts_ == before && skipped_ == skipped_before)
      ++skipped_;
  } catch (const RecordError& e) {
    if (!reject) throw;
    reject(pos, e.what());
  }
  join_.release(0, out, true);  // an API document is a whole unit
}

void IngestStage::on_end(Sink& out) {
  if (collecting()) finish_document(out);
  join_.release(0, out, true);
}

void IngestStage::emit(Alert& a) {
  if (keep_raw_) a.original.assign(raw_);
  bool eve_flow = !a.flow_id.empty() && a.dataset == "suricata.eve";
  if (eve_flow)
    if (const FlowContext* c = join_.context(a.flow_id)) apply_flow_context(a, *c);
  std::string_view text = write_alert(a, wc_, out_);
  ++alerts_;
  if (join_.holding() || (eve_flow && join_.holds_alerts()))
    join_.hold(text, eve_flow ? raw_ : std::string_view(), eve_flow ? a.flow_id : std::string(),
               lines_);
  else
    sink_->emit_text(text);
}

void IngestStage::on_flow_context() {
  const FlowContext& c = join_.remember(context_);
  join_.each_held(c.flow_id, [&](FlowJoin::Held& h) {
    // Re-read the held alert from its line, fill the gaps from the flow, write it again.
    std::string padded = h.raw;
    padded.reserve(padded.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element root;
    if (join_parser_.parse(padded.data(), padded.size(), false).get(root)) return;
    join_alert_.clear();
    if (!parse_eve(root, h.raw, join_alert_)) return;
    if (keep_raw_) join_alert_.original = h.raw;
    apply_flow_context(join_alert_, c);
    h.text.assign(write_alert(join_alert_, wc_, join_out_));
  });
}

}  // namespace tr::ingest
