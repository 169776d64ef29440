// Geolocation and ASN from MaxMind GeoIP2/GeoLite2 .mmdb files (libmaxminddb), offline.
//
// The files are memory-mapped; lookups read only the fields written to the ECS places
// (`<side>.geo.*`, `<side>.as.*`). Private and reserved addresses are never looked up.
#pragma once
#include <memory>
#include <optional>
#include <string>

namespace tr::intel {

struct GeoInfo {
  std::string continent_code, country_iso_code, country_name, region_iso_code, region_name,
      city_name, postal_code, timezone;
  std::optional<double> lat, lon;
  bool any() const { return !country_iso_code.empty() || !city_name.empty() || lat.has_value(); }
};

struct AsInfo {
  int64_t number = 0;
  std::string organization;
  bool any() const { return number != 0 || !organization.empty(); }
};

class MmdbFile {
 public:
  // Throws UsageError naming the file when it cannot be opened or is not an mmdb.
  explicit MmdbFile(const std::string& path);
  ~MmdbFile();
  MmdbFile(const MmdbFile&) = delete;
  MmdbFile& operator=(const MmdbFile&) = delete;

  // Nullopt when the address is not in the database. Throws ExternalError when the database
  // is corrupt (the record is then marked, not dropped).
  std::optional<GeoInfo> city(const std::string& ip) const;
  std::optional<AsInfo> asn(const std::string& ip) const;
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace tr::intel
