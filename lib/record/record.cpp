#include "record/record.hpp"

#include <simdjson.h>

#include "core/error.hpp"

namespace tr {
namespace {

simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

}  // namespace

Record Record::parse(std::string_view line, SourcePos pos) {
  Record r;
  r.pos_ = std::move(pos);
  simdjson::dom::element root;
  auto err = parser().parse(line.data(), line.size()).get(root);
  if (err) {
    if (err == simdjson::UTF8_ERROR) throw RecordError("invalid UTF-8");
    throw RecordError(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  if (!root.is_object()) throw RecordError("not a JSON object");
  std::string_view kind;
  if (root["kind"].get(kind) == simdjson::SUCCESS) r.kind_ = std::string(kind);
  r.text_ = std::string(line);
  return r;
}

Record Record::from_json(Json j, SourcePos pos) {
  if (!j.is_object()) throw RecordError("not a JSON object");
  Record r;
  r.pos_ = std::move(pos);
  auto it = j.find("kind");
  if (it != j.end() && it->is_string()) r.kind_ = it->get<std::string>();
  r.doc_ = std::move(j);
  r.dirty_ = true;
  return r;
}

const Json& Record::doc() const {
  if (!doc_) {
    try {
      doc_ = Json::parse(text_);
    } catch (const Json::exception& e) {
      throw RecordError(std::string("not valid JSON: ") + e.what());
    }
  }
  return *doc_;
}

Json& Record::edit() {
  doc();
  dirty_ = true;
  return *doc_;
}

std::string Record::text() const {
  if (!dirty_) return text_;
  // Replace invalid UTF-8 rather than throw: edits only insert strings we validated or built.
  return doc_->dump(-1, ' ', false, Json::error_handler_t::replace);
}

const Json* find_path(const Json& j, std::string_view dotted) {
  const Json* cur = &j;
  while (!dotted.empty()) {
    if (!cur->is_object()) return nullptr;
    auto dot = dotted.find('.');
    std::string_view part = dotted.substr(0, dot);
    auto it = cur->find(std::string(part));
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  return cur;
}

std::string string_at(const Json& j, std::string_view dotted, std::string_view fallback) {
  const Json* v = find_path(j, dotted);
  if (v && v->is_string()) return v->get<std::string>();
  if (v && v->is_number_integer()) return std::to_string(v->get<int64_t>());
  return std::string(fallback);
}

int64_t int_at(const Json& j, std::string_view dotted, int64_t fallback) {
  const Json* v = find_path(j, dotted);
  if (v && v->is_number_integer()) return v->get<int64_t>();
  if (v && v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  return fallback;
}

void set_path(Json& j, std::string_view dotted, Json value) {
  Json* cur = &j;
  for (;;) {
    auto dot = dotted.find('.');
    std::string part(dotted.substr(0, dot));
    if (dot == std::string_view::npos) {
      (*cur)[part] = std::move(value);
      return;
    }
    Json& next = (*cur)[part];
    if (!next.is_object()) next = Json::object();
    cur = &next;
    dotted.remove_prefix(dot + 1);
  }
}

}  // namespace tr
