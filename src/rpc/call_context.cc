#include "rpc/call_context.h"

#include <grpcpp/server_context.h>

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rpc/call_registry.h"
#include "rpc/semconv.h"
#include "telemetry/log_field.h"

namespace klio::rpc {
namespace {

constinit thread_local const CallContextScope* tls_call_scope = nullptr;
constinit thread_local const CallContext* tls_call_context = nullptr;

// ---- the registry ----

struct Shard {
  std::mutex mu;
  std::unordered_map<const grpc::ServerContextBase*,
                     std::shared_ptr<const internal::ServerCallInfo>>
      calls;  // guarded by mu
};

constexpr size_t kShards = 16;

Shard& ShardFor(const grpc::ServerContextBase* context) {
  static std::array<Shard, kShards> shards;
  // Contexts are heap objects of a few hundred bytes: the low bits carry no information.
  const auto bits = reinterpret_cast<std::uintptr_t>(context);
  return shards[(bits >> 6) % kShards];
}

// For a handler of a server without the interceptor: the caller's request id if it is valid.
std::shared_ptr<const internal::ServerCallInfo> Uninstrumented(
    const grpc::ServerContextBase* context) {
  auto info = std::make_shared<internal::ServerCallInfo>();
  if (context == nullptr) return info;
  const auto& md = context->client_metadata();
  const auto it = md.find(grpc::string_ref(kRequestIdHeader.data(), kRequestIdHeader.size()));
  if (it != md.end()) {
    const std::string_view id(it->second.data(), it->second.size());
    if (IsValidRequestId(id)) info->context.request_id = std::string(id);
  }
  return info;
}

std::shared_ptr<const internal::ServerCallInfo> Lookup(const grpc::ServerContextBase* context) {
  if (context != nullptr) {
    if (auto info = internal::FindServerCall(context)) return info;
  }
  return Uninstrumented(context);
}

std::vector<log::Field> RequestIdFields(const internal::ServerCallInfo& info) {
  std::vector<log::Field> fields;
  if (!info.context.request_id.empty()) fields.emplace_back("request_id", info.context.request_id);
  return fields;
}

}  // namespace

namespace internal {

void RegisterServerCall(const grpc::ServerContextBase* context,
                        std::shared_ptr<const ServerCallInfo> info) {
  Shard& shard = ShardFor(context);
  std::shared_ptr<const ServerCallInfo> old;  // released outside the lock
  std::lock_guard<std::mutex> lock(shard.mu);
  auto& slot = shard.calls[context];
  old = std::exchange(slot, std::move(info));
}

void UnregisterServerCall(const grpc::ServerContextBase* context, const ServerCallInfo* info) {
  Shard& shard = ShardFor(context);
  std::shared_ptr<const ServerCallInfo> old;
  std::lock_guard<std::mutex> lock(shard.mu);
  const auto it = shard.calls.find(context);
  if (it == shard.calls.end() || it->second.get() != info) return;
  old = std::move(it->second);
  shard.calls.erase(it);
}

std::shared_ptr<const ServerCallInfo> FindServerCall(const grpc::ServerContextBase* context) {
  Shard& shard = ShardFor(context);
  std::lock_guard<std::mutex> lock(shard.mu);
  const auto it = shard.calls.find(context);
  return it != shard.calls.end() ? it->second : nullptr;
}

}  // namespace internal

const CallContext* CurrentCallContext() { return tls_call_context; }

CallContextScope::CallContextScope(const CallContext& context) noexcept
    : context_(&context), prev_(tls_call_scope) {
  tls_call_scope = this;
  tls_call_context = context_;
}

CallContextScope::~CallContextScope() {
  if (tls_call_scope == this) [[likely]] {
    tls_call_scope = prev_;
    tls_call_context = prev_ != nullptr ? prev_->context_ : nullptr;
    return;
  }
  // Destroyed out of order: unlink from the middle of this thread's stack.
  for (const CallContextScope* s = tls_call_scope; s != nullptr; s = s->prev_) {
    if (s->prev_ == this) {
      const_cast<CallContextScope*>(s)->prev_ = prev_;
      return;
    }
  }
}

ServerCallScope::ServerCallScope(const grpc::ServerContextBase* context)
    : info_(Lookup(context)),
      log_context_(RequestIdFields(*info_)),
      span_scope_(info_->span),
      call_scope_(info_->context) {}

ServerCallScope::~ServerCallScope() = default;

}  // namespace klio::rpc
