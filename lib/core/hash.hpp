// Digests (OpenSSL libcrypto) and the stable ids of design.md.
#pragma once
#include <string>
#include <string_view>
#include <initializer_list>

namespace tr {

std::string sha256_hex(std::string_view data);
std::string sha1_hex(std::string_view data);
std::string md5_hex(std::string_view data);

// Streams a file through all three digests at once. Throws ExternalError when unreadable.
struct FileDigests {
  std::string md5, sha1, sha256;
};
FileDigests hash_file(const std::string& path);

// A stable id: prefix + "-" + 16 hex digits of SHA-256 over the parts joined by 0x1f.
// make_id("a", {"Suricata", "1234"}) is the same on every run and every machine.
std::string make_id(std::string_view prefix, std::initializer_list<std::string_view> parts);
// The same id appended to `out`, with no allocation beyond `out` (tr-ingest's hot path).
void append_id(std::string& out, std::string_view prefix,
               std::initializer_list<std::string_view> parts);

}  // namespace tr
