// INTERNAL to src/rpc: the table through which the server interceptor hands a call's span and
// request id to the handler's ServerCallScope, keyed by the call's grpc::ServerContextBase
// (gRPC gives interceptors and handlers nothing else in common).
//
// An entry lives from the interceptor's POST_RECV_INITIAL_METADATA (before the handler runs)
// to the interceptor's destruction. gRPC may destroy an interceptor after its context, so a
// new call can reuse the address while the old entry is still present: Register replaces the
// entry and Unregister removes it only when it is still the caller's own.
//
// Thread-safety: all functions are thread-safe (16 mutex-guarded shards).
#pragma once

#include <memory>

#include "rpc/call_context.h"

namespace klio::rpc::internal {

// Publishes `info` for `context`, replacing any older entry.
void RegisterServerCall(const grpc::ServerContextBase* context,
                        std::shared_ptr<const ServerCallInfo> info);
// Removes the entry for `context` if it is `info`.
void UnregisterServerCall(const grpc::ServerContextBase* context, const ServerCallInfo* info);
// The entry for `context`; null when none.
std::shared_ptr<const ServerCallInfo> FindServerCall(const grpc::ServerContextBase* context);

}  // namespace klio::rpc::internal
