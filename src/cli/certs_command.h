// `klio certs generate`: writes a throwaway development PKI (CA, server and client
// certificates and keys) for klio's mutual TLS. crypto/pki.h describes the certificates.
//
// Thread-safety: see command.h.
#pragma once

#include <string>

#include "cli/command.h"

namespace klio::cli {

class CertsGenerateCommand : public Command {
 public:
  CLI::App* Register(CLI::App& parent) override;
  // Writes ca.crt ca.key server.crt server.key client.crt client.key into --dir and lists
  // them on `out`. AlreadyExists (exit 1) when a file exists and --force is not given;
  // InvalidArgument (exit 2) for a bad name or --days.
  Status Run(const CommandContext& ctx) override;

 private:
  std::string dir_;
  std::string server_name_;
  std::string client_name_;
  std::string days_ = "365";
  bool force_ = false;
};

}  // namespace klio::cli
