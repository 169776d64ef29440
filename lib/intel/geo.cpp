#include "intel/geo.hpp"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.hpp"

namespace tr::intel {

struct MmdbFile::Impl {
  MMDB_s db{};
};

MmdbFile::MmdbFile(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
  int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &impl_->db);
  if (status != MMDB_SUCCESS) {
    std::string why = status == MMDB_IO_ERROR ? std::strerror(errno) : MMDB_strerror(status);
    impl_.reset();
    throw UsageError(path + ": " + why);
  }
}

MmdbFile::~MmdbFile() {
  if (impl_) MMDB_close(&impl_->db);
}

namespace {

MMDB_lookup_result_s lookup(MMDB_s* db, const std::string& ip, const std::string& path) {
  // MMDB_lookup_string goes through getaddrinfo, which costs more than the tree walk; the
  // address is parsed here and looked up as a sockaddr.
  int err = 0;
  MMDB_lookup_result_s r{};
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, ip.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    r = MMDB_lookup_sockaddr(db, reinterpret_cast<const sockaddr*>(&v4), &err);
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    r = MMDB_lookup_sockaddr(db, reinterpret_cast<const sockaddr*>(&v6), &err);
  } else {
    return r;  // not an address: callers validate first
  }
  // An IPv6 address in an IPv4-only database is simply not in it.
  if (err == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) r.found_entry = false;
  else if (err != MMDB_SUCCESS) throw ExternalError(path + ": " + MMDB_strerror(err));
  return r;
}

std::string str(MMDB_entry_s* e, std::initializer_list<const char*> path) {
  std::vector<const char*> p(path);
  p.push_back(nullptr);
  MMDB_entry_data_s d;
  if (MMDB_aget_value(e, &d, p.data()) != MMDB_SUCCESS || !d.has_data ||
      d.type != MMDB_DATA_TYPE_UTF8_STRING)
    return "";
  return std::string(d.utf8_string, d.data_size);  // not NUL-terminated
}

std::optional<double> dbl(MMDB_entry_s* e, std::initializer_list<const char*> path) {
  std::vector<const char*> p(path);
  p.push_back(nullptr);
  MMDB_entry_data_s d;
  if (MMDB_aget_value(e, &d, p.data()) != MMDB_SUCCESS || !d.has_data) return std::nullopt;
  if (d.type == MMDB_DATA_TYPE_DOUBLE) return d.double_value;
  if (d.type == MMDB_DATA_TYPE_FLOAT) return static_cast<double>(d.float_value);
  return std::nullopt;
}

}  // namespace

std::optional<GeoInfo> MmdbFile::city(const std::string& ip) const {
  MMDB_lookup_result_s r = lookup(&impl_->db, ip, path_);
  if (!r.found_entry) return std::nullopt;
  GeoInfo g;
  g.continent_code = str(&r.entry, {"continent", "code"});
  g.country_iso_code = str(&r.entry, {"country", "iso_code"});
  g.country_name = str(&r.entry, {"country", "names", "en"});
  g.region_iso_code = str(&r.entry, {"subdivisions", "0", "iso_code"});
  g.region_name = str(&r.entry, {"subdivisions", "0", "names", "en"});
  g.city_name = str(&r.entry, {"city", "names", "en"});
  g.postal_code = str(&r.entry, {"postal", "code"});
  g.timezone = str(&r.entry, {"location", "time_zone"});
  g.lat = dbl(&r.entry, {"location", "latitude"});
  g.lon = dbl(&r.entry, {"location", "longitude"});
  if (!g.any() && g.continent_code.empty()) return std::nullopt;
  return g;
}

std::optional<AsInfo> MmdbFile::asn(const std::string& ip) const {
  MMDB_lookup_result_s r = lookup(&impl_->db, ip, path_);
  if (!r.found_entry) return std::nullopt;
  AsInfo a;
  MMDB_entry_data_s d;
  const char* num_path[] = {"autonomous_system_number", nullptr};
  if (MMDB_aget_value(&r.entry, &d, num_path) == MMDB_SUCCESS && d.has_data) {
    if (d.type == MMDB_DATA_TYPE_UINT32) a.number = d.uint32;
    if (d.type == MMDB_DATA_TYPE_UINT16) a.number = d.uint16;
    if (d.type == MMDB_DATA_TYPE_UINT64) a.number = static_cast<int64_t>(d.uint64);
  }
  a.organization = str(&r.entry, {"autonomous_system_organization"});
  if (!a.any()) return std::nullopt;
  return a;
}

}  // namespace tr::intel
