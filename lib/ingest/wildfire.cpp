// Palo Alto WildFire report XML -> alert (integrations.md B3; mapping in tr-ingest(1)).
//
// A report is a multi-line document (<wildfire> ... </wildfire>, as /publicapi/get/report
// returns it with format=xml) that the stage collects like a pretty-printed JSON document.
// One report is one alert about the file: hashes, type and size from <file_info>, the verdict
// from its <malware> flag, and the network activity of every <task_info>/<report> (one per
// analysis environment; one report or several) as observables.
//
// pugixml builds a DOM of the document but never loads external entities or expands DTD
// entities, so a report cannot make it fetch anything or blow up; the document's size is
// bounded by the stage (--max-line).
#include <pugixml.hpp>

#include <string>
#include <tuple>

#include "core/error.hpp"
#include "ingest/parsers.hpp"
#include "schema/observable.hpp"

namespace tr::ingest {
namespace {

// A child element's text, or the attribute of that name (WildFire writes both forms).
std::string_view value_of(const pugi::xml_node& n, const char* name) {
  if (pugi::xml_attribute at = n.attribute(name)) return at.value();
  return n.child(name).text().get();
}

void add_once(std::string& list, std::string_view item) {
  if (item.empty()) return;
  std::string_view l = list;
  std::size_t at = 0;
  while (at <= l.size()) {
    std::size_t end = l.find(", ", at);
    if (l.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at) == item)
      return;
    if (end == std::string_view::npos) break;
    at = end + 2;
  }
  if (!list.empty()) list += ", ";
  list.append(item);
}

// "www.example.com/x?y" (WildFire's extracted URLs have no scheme) -> "http://www.example.com/x?y".
std::string with_scheme(std::string_view u) {
  std::string lower = to_lower(u.substr(0, 8));
  if (lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0) return std::string(u);
  return "http://" + std::string(u);
}

}  // namespace

bool parse_wildfire(std::string_view text, Alert& a) {
  pugi::xml_document doc;
  pugi::xml_parse_result r =
      doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    std::size_t line = 1;
    for (std::size_t i = 0; i < static_cast<std::size_t>(r.offset) && i < text.size(); ++i)
      if (text[i] == '\n') ++line;
    throw RecordError(std::string("not valid XML: ") + r.description() + " (document line " +
                      std::to_string(line) + ")");
  }
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "wildfire")
    throw RecordError("XML document is not a WildFire report (root element " +
                      ingest::quoted(root.name()) + ")");
  pugi::xml_node info = root.child("file_info");
  if (!info) {
    // A verdict answer (<get-verdict-info>) or an error (<error>) is not a report.
    if (root.child("get-verdict-info") || root.child("error")) return false;
    throw RecordError("WildFire report has no <file_info>");
  }
  std::string_view sha256 = trim_view(info.child("sha256").text().get());
  std::string_view md5 = trim_view(info.child("md5").text().get());
  std::string_view sha1 = trim_view(info.child("sha1").text().get());
  for (auto [name, v, want] : {std::tuple{"sha256", sha256, "sha256"}, {"md5", md5, "md5"},
                               {"sha1", sha1, "sha1"}}) {
    if (!v.empty() && hash_type(v) != want)
      throw RecordError(std::string("file_info ") + name + " " + ingest::quoted(v) + " is not a " + want +
                        " digest");
  }
  if (sha256.empty() && md5.empty() && sha1.empty())
    throw RecordError("WildFire report names no file hash");
  a.file_role = "related";  // until the verdict says the file is bad
  a.file_sha256 = sha256;
  a.file_md5 = md5;
  a.file_sha1 = sha1;
  a.file_type = trim_view(info.child("filetype").text().get());
  std::string_view size = trim_view(info.child("size").text().get());
  if (!size.empty()) {
    a.file_size = parse_uint(size);
    if (a.file_size < 0) throw RecordError("file_info size " + ingest::quoted(size) + " is not a number");
  }
  a.file_name = trim_view(info.child("filename").text().get());

  // Verdict: file_info's flag, else any report's. yes = malware; WildFire's other verdict
  // words are read too.
  std::string verdict = to_lower(trim_view(info.child("malware").text().get()));
  std::string platforms, software, behaviours;
  std::size_t reports = 0, behaviour_count = 0;
  bool any_report_malware = false;
  std::vector<std::string> extracted;  // URLs a report rated malicious
  pugi::xml_node task = root.child("task_info");
  for (pugi::xml_node rep : task.children("report")) {
    ++reports;
    add_once(platforms, trim_view(rep.child("platform").text().get()));
    add_once(software, trim_view(rep.child("software").text().get()));
    if (iequals(trim_view(rep.child("malware").text().get()), "yes")) any_report_malware = true;
    for (pugi::xml_node e : rep.child("summary").children("entry")) {
      std::string_view s = trim_view(e.text().get());
      if (s.empty()) continue;
      if (++behaviour_count <= 20) {
        if (!behaviours.empty()) behaviours += "; ";
        behaviours.append(s);
      }
    }
    pugi::xml_node net = rep.child("network");
    for (pugi::xml_node c : net.children()) {
      std::string_view kind = c.name();
      if (kind == "TCP" || kind == "UDP") {
        std::string_view ip = trim_view(value_of(c, "ip"));
        if (!ip.empty()) a.add_observable("ip", ip, "?");
      } else if (kind == "dns") {
        std::string_view q = trim_view(value_of(c, "query"));
        if (!q.empty()) a.add_observable("domain", q, "?");
        std::string_view resp = trim_view(value_of(c, "response"));
        if (!resp.empty() && canonical_ip(resp)) a.add_observable("ip", resp, "?");
      } else if (kind == "url") {
        std::string_view host = trim_view(value_of(c, "host"));
        std::string_view uri = trim_view(value_of(c, "uri"));
        if (!host.empty()) {
          a.add_observable("domain", host, "?");
          std::string u = "http://" + std::string(host);
          if (!uri.empty() && uri.front() != '/') u += '/';
          u.append(uri);
          a.add_observable("url", u, "?");
        }
        if (a.user_agent.empty()) a.user_agent = trim_view(value_of(c, "user_agent"));
      }
    }
    for (pugi::xml_node e : rep.child("extracted_urls").children("entry")) {
      std::string v = to_lower(trim_view(e.attribute("verdict").value()));
      std::string_view u = trim_view(e.attribute("url").value());
      if (!u.empty() && (v == "malware" || v == "phishing" || v == "grayware" || v == "c2"))
        extracted.push_back(with_scheme(u));
    }
  }
  if (verdict.empty()) verdict = any_report_malware ? "yes" : "";
  std::string word = verdict == "yes" ? "malware" : verdict == "no" ? "benign" : verdict;
  if (word.empty()) word = "unknown";
  bool bad = word == "malware" || word == "phishing" || word == "grayware" || word == "c2";

  // The network the sample talked to is the attacker's when the sample is bad, else related.
  for (auto& o : a.extra_observables)
    if (o.role == "?") o.role = bad ? "attacker" : "related";
  for (const auto& u : extracted) {
    a.add_observable("url", u, "attacker");
    if (auto h = url_host(u)) a.add_observable("domain", *h, "attacker");
  }

  if (bad) a.file_role = "attacker";
  if (word == "malware") {
    a.severity = 100;
    a.classification = "malware";
  } else if (word == "phishing") {
    a.severity = 75;
    a.classification = "phish";
  } else if (word == "c2") {
    a.severity = 100;
    a.classification = "c2";
  } else if (word == "grayware") {
    a.severity = 50;
    a.classification = "policy";
  } else if (word == "benign") {
    a.severity = 0;
    a.classification = "other";
  } else {
    a.severity = 50;
    a.classification = "other";
  }
  a.rule_name = "WildFire verdict: " + word;
  a.message = "WildFire: " + (a.file_type.empty() ? std::string("file") : a.file_type + " file") +
              " " + std::string(sha256.empty() ? (md5.empty() ? sha1 : md5) : sha256) + " is " + word;
  a.dataset = "panw.wildfire_report";
  a.categories = {bad ? "malware" : "file"};
  a.observer_vendor = "Palo Alto Networks";
  a.observer_product = "WildFire";
  a.observer_type = "sandbox";
  a.threat_name.clear();
  a.vendor_key = "wildfire";
  a.vendor_fields.emplace_back("verdict", word);
  if (!platforms.empty()) a.vendor_fields.emplace_back("platforms", platforms);
  if (!software.empty()) a.vendor_fields.emplace_back("software", software);
  std::string_view signer = trim_view(info.child("file_signer").text().get());
  if (!signer.empty() && signer != "None") a.vendor_fields.emplace_back("file_signer", std::string(signer));
  a.vendor_fields.emplace_back("reports", std::to_string(reports));
  if (!behaviours.empty()) a.vendor_fields.emplace_back("behaviors", behaviours);
  std::string_view version = trim_view(root.child("version").text().get());
  if (!version.empty()) a.vendor_fields.emplace_back("version", std::string(version));
  a.id_product = "WildFire";
  a.id_native.assign(sha256.empty() ? (md5.empty() ? sha1 : md5) : sha256);
  a.id_native += '|';
  a.id_native += word;
  return true;
}

}  // namespace tr::ingest
