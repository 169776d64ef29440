// Rewrites a few members of a JSON object text and copies every other member as it was.
//
// tr-enrich owns only `tr.enrichment`, `tr.score`, `tr.priority` and the ECS geo places
// (`source.geo`, `destination.as`, ...). Going through a DOM would re-serialise every field and
// cost most of the hot path, so the record text is scanned once: members named in the patch
// are replaced (or patched recursively when both sides are objects), members not named are
// copied byte for byte in their order, and patch members the object lacks are appended.
//
// The input must be valid JSON (the runner validated it with simdjson). Keys are compared on
// their raw text, so a key spelled with escapes ("\u0074r") is not recognised as "tr"; our
// own keys are plain ASCII and vendors do not escape ASCII letters.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tr::intel {

class ObjectPatch {
 public:
  // Replaces (or adds) `key` with the serialised JSON value `raw`.
  void set(std::string key, std::string raw);
  // A nested patch for the object at `key` (created when the record lacks it).
  ObjectPatch& sub(const std::string& key);
  bool empty() const { return members_.empty(); }

  // Appends the patched form of `object` (a JSON object text) to `out`. Returns false, leaving
  // `out` as it was, when `object` is not an object.
  bool apply(std::string_view object, std::string& out) const;

 private:
  struct Member {
    std::string key;
    std::string raw;                      // used when nested is null
    std::unique_ptr<ObjectPatch> nested;  // patch of an object value
  };
  void append_new(std::string& out, const Member& m) const;
  std::vector<Member> members_;
};

}  // namespace tr::intel
