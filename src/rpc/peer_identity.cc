#include "rpc/peer_identity.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>

#include <memory>

namespace klio::rpc {
namespace {

std::string FirstValue(const grpc::AuthContext& auth, const char* property) {
  for (const grpc::string_ref& value : auth.FindPropertyValues(property)) {
    if (value.size() != 0) return std::string(value.data(), value.size());
  }
  return {};
}

}  // namespace

std::string PeerIdentity(const grpc::ServerContextBase& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return {};
  // GRPC_PEER_DNS_PROPERTY_NAME lists only the DNS SANs (x509_subject_alternative_name also
  // has IP, URI and e-mail entries).
  std::string identity = FirstValue(*auth, GRPC_PEER_DNS_PROPERTY_NAME);
  if (identity.empty()) identity = FirstValue(*auth, GRPC_X509_CN_PROPERTY_NAME);
  return identity;
}

}  // namespace klio::rpc
