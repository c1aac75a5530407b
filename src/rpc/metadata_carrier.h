// INTERNAL to src/rpc: telemetry::TextMapCarrier adapters over gRPC metadata, so the W3C
// propagators read traceparent/tracestate/baggage from received metadata and write them into
// metadata about to be sent. gRPC metadata keys are lowercase already (otel-reference §4.5).
//
// Thread-safety: a carrier is used by one thread at a time; it borrows the map.
#pragma once

#include <grpcpp/support/string_ref.h>

#include <map>
#include <string>
#include <string_view>

#include "telemetry/propagation.h"

namespace klio::rpc::internal {

// Reads a received metadata map. Several entries with one key are joined with ','.
class ReceivedMetadataCarrier final : public telemetry::TextMapCarrier {
 public:
  using Map = std::multimap<grpc::string_ref, grpc::string_ref>;
  explicit ReceivedMetadataCarrier(const Map* map) : map_(map) {}

  std::string_view Get(std::string_view key) const override {
    if (map_ == nullptr) return {};
    const auto [first, last] = map_->equal_range(grpc::string_ref(key.data(), key.size()));
    if (first == last) return {};
    if (std::next(first) == last) return {first->second.data(), first->second.size()};
    joined_.clear();
    for (auto it = first; it != last; ++it) {
      if (!joined_.empty()) joined_.push_back(',');
      joined_.append(it->second.data(), it->second.size());
    }
    return joined_;
  }
  void Set(std::string_view, std::string_view) override {}

 private:
  const Map* map_;
  mutable std::string joined_;
};

// Writes into metadata about to be sent, replacing entries with the same key.
class SendMetadataCarrier final : public telemetry::TextMapCarrier {
 public:
  using Map = std::multimap<std::string, std::string>;
  explicit SendMetadataCarrier(Map* map) : map_(map) {}

  std::string_view Get(std::string_view key) const override {
    const auto it = map_->find(std::string(key));
    return it != map_->end() ? std::string_view(it->second) : std::string_view();
  }
  void Set(std::string_view key, std::string_view value) override {
    std::string k(key);
    map_->erase(k);
    map_->emplace(std::move(k), std::string(value));
  }

 private:
  Map* map_;
};

}  // namespace klio::rpc::internal
