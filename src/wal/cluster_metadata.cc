#include "wal/cluster_metadata.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "base/wal_name.h"
#include "wal/archive_names.h"

namespace klio::wal {

Status ValidateClusterMetadata(const ClusterMetadata& m) {
  KLIO_RETURN_IF_ERROR(ClusterName::Parse(m.cluster).status());
  if (m.system_id == 0) return Status::InvalidArgument("cluster metadata: system id is 0");
  KLIO_RETURN_IF_ERROR(ValidateWalSegmentSize(m.segment_size));
  for (const WalGap& gap : m.gaps) {
    if (!(gap.start < gap.end)) {
      return Status::InvalidArgument("cluster metadata: gap " + gap.start.ToString() + " to " +
                                     gap.end.ToString() + " is empty or reversed");
    }
  }
  return Status::Ok();
}

std::string EncodeClusterMetadata(const ClusterMetadata& m) {
  nlohmann::ordered_json j;
  j["format"] = kClusterMetadataFormat;
  j["cluster"] = m.cluster;
  j["system_id"] = std::to_string(m.system_id);
  j["segment_size"] = m.segment_size;
  j["created"] = m.created;
  j["gaps"] = nlohmann::ordered_json::array();
  for (const WalGap& gap : m.gaps) {
    j["gaps"].push_back(nlohmann::ordered_json{
        {"start", gap.start.ToString()}, {"end", gap.end.ToString()}, {"time", gap.time}});
  }
  return j.dump() + "\n";
}

namespace {

Result<std::uint64_t> ParseDecimal(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument("system_id is not a decimal number");
  }
  return value;
}

Result<ClusterMetadata> Decode(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("not a JSON object");
  if (j.at("format").get<int>() != kClusterMetadataFormat) {
    return Status::InvalidArgument("unknown format " + j.at("format").dump());
  }
  ClusterMetadata m;
  m.cluster = j.at("cluster").get<std::string>();
  KLIO_ASSIGN_OR_RETURN(m.system_id, ParseDecimal(j.at("system_id").get<std::string>()));
  m.segment_size = j.at("segment_size").get<std::uint64_t>();
  m.created = j.at("created").get<std::string>();
  for (const nlohmann::json& g : j.at("gaps")) {
    WalGap gap;
    KLIO_ASSIGN_OR_RETURN(gap.start, Lsn::Parse(g.at("start").get<std::string>()));
    KLIO_ASSIGN_OR_RETURN(gap.end, Lsn::Parse(g.at("end").get<std::string>()));
    gap.time = g.at("time").get<std::string>();
    m.gaps.push_back(std::move(gap));
  }
  KLIO_RETURN_IF_ERROR(ValidateClusterMetadata(m));
  return m;
}

}  // namespace

Result<ClusterMetadata> DecodeClusterMetadata(std::string_view json, std::string_view what) {
  Result<ClusterMetadata> m = Status::Internal("unset");
  try {
    m = Decode(nlohmann::json::parse(json));
  } catch (const nlohmann::json::exception& e) {
    // The library's message names the field or position, never more than the input's shape.
    return Status::Corruption(std::string(what) + ": " + e.what());
  }
  if (!m.ok()) return Status::Corruption(std::string(what) + ": " + m.status().message());
  return m;
}

}  // namespace klio::wal
