// The telemetry Resource (who is emitting: service.name, host.name, k8s.pod.name, ...) built
// from the environment and from resource detectors.
//
// Precedence, lowest to highest (a later layer wins per key; otel-reference §1.3):
//   1. SDK defaults: telemetry.sdk.{name=klio-telemetry, language=cpp, version}, service.version
//      and service.name = ResourceOptions::default_service_name, or
//      "unknown_service:<process.executable.name>" when that is empty;
//   2. detectors named by OTEL_RESOURCE_DETECTORS (default kDefaultDetectors);
//   3. Kubernetes: CONTAINER_NAME, POD_NAME, NAMESPACE_NAME → k8s.container.name,
//      k8s.pod.name, k8s.namespace.name, each on its own;
//   4. OTEL_RESOURCE_ATTRIBUTES (so a key given there is never replaced by layer 3);
//   5. OTEL_SERVICE_NAME, which always decides service.name.
//
// Every fact about the machine and the process comes from a SystemProbe, so detectors are
// table-tested with a fake; detectors not selected cost nothing.
//
// Thread-safety: pure functions over their arguments; a SystemProbe is used by one thread.
// Design: docs/observability.md §Resource; otel-reference §1.3, §1.10, §5.1.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "telemetry/common.h"
#include "telemetry/setup/env_config.h"

namespace klio::telemetry::setup {

// The project version, reported as telemetry.sdk.version (and service.version by default).
std::string_view TelemetrySdkVersion();

// What uname(2) says.
struct UnameInfo {
  std::string sysname, nodename, release, version, machine;
};

// Facts the detectors read. Each returns nullopt when the fact is unavailable.
class SystemProbe {
 public:
  virtual ~SystemProbe() = default;
  virtual std::optional<std::string> HostName() = 0;       // gethostname()
  virtual std::optional<UnameInfo> Uname() = 0;            // uname()
  virtual std::optional<std::string> MachineId() = 0;      // /etc/machine-id, dbus fallback
  virtual std::optional<std::string> OsReleaseText() = 0;  // /etc/os-release, /usr/lib/...
  virtual std::int64_t Pid() = 0;
  virtual std::int64_t ParentPid() = 0;
  virtual std::optional<std::string> ExecutablePath() = 0;  // readlink /proc/self/exe
  virtual std::optional<std::string> CommandLine() = 0;     // /proc/self/cmdline (NUL-separated)
  virtual std::optional<std::string> Owner() = 0;           // user name of the effective uid
  virtual std::optional<std::string> CgroupText() = 0;      // /proc/self/cgroup
  virtual std::optional<std::string> MountInfoText() = 0;   // /proc/self/mountinfo
};

// The probe of this Linux process and host. `proc_root` and `etc_root` allow a fake tree.
std::unique_ptr<SystemProbe> NewLinuxSystemProbe(std::string proc_root = "/proc",
                                                 std::string etc_root = "/etc");

// The resource detectors (OTEL_RESOURCE_DETECTORS ids, Go contrib autodetect names).
enum class Detector : std::uint8_t {
  kTelemetrySdk,        // telemetry.sdk: telemetry.sdk.* (also always present as defaults)
  kHost,                // host: host.name, host.arch
  kHostId,              // host.id: host.id from the machine id
  kOsType,              // os.type: os.type
  kOsDescription,       // os.description: os.description, os.name, os.version
  kProcessPid,          // process.pid: process.pid, process.parent_pid
  kExecutableName,      // process.executable.name
  kExecutablePath,      // process.executable.path
  kCommandArgs,         // process.command_args (opt-in only: may hold secrets; redacted)
  kOwner,               // process.owner
  kRuntimeName,         // process.runtime.name
  kRuntimeVersion,      // process.runtime.version
  kRuntimeDescription,  // process.runtime.description
  kContainer,           // container: container.id from the cgroup
};

// The detectors used when OTEL_RESOURCE_DETECTORS is unset or empty: the set of the product
// documentation's example, "telemetry.sdk,host,os.type,process.executable.name".
inline constexpr std::string_view kDefaultDetectors =
    "telemetry.sdk,host,os.type,process.executable.name";

// The id of `detector` ("host.id", ...).
std::string_view DetectorId(Detector detector);

// Parses an OTEL_RESOURCE_DETECTORS value: comma list, whitespace trimmed, case-insensitive,
// de-duplicated, in order. "all" adds every detector except process.command_args (which must be
// named); "none" (alone) selects none; "process.runtime" adds the three runtime detectors;
// "process.command.args" is accepted as the Go spelling of "process.command_args". Unknown
// ids (including the cloud ones of Go's autodetect) produce one warning that lists them, and
// are skipped.
std::vector<Detector> ParseDetectors(std::string_view value, Diagnostics* diagnostics);

// Parses an OTEL_RESOURCE_ATTRIBUTES value ("k1=v1,k2=v2"): split on ',' and on the first '='
// of each item, trim whitespace around key and value, then percent-decode both. Empty items
// are skipped. Fails with InvalidArgument (naming the variable and the item's position, never
// echoing values) for an item without '=', an empty key or an invalid %-escape: the spec asks
// to discard the whole variable then.
Result<Attributes> ParseResourceAttributes(std::string_view value);

// Pure helpers of the detectors, exposed for tests.
std::string HostArch(std::string_view uname_machine);  // x86_64 → amd64, aarch64 → arm64, ...
struct OsRelease {
  std::string name, version, version_id, pretty_name;
};
OsRelease ParseOsRelease(std::string_view text);
// "<NAME> <VERSION> (<sysname> <nodename> <release> <version> <machine>)", Go's format; the
// PRETTY_NAME when NAME is missing.
std::string OsDescription(const OsRelease& os, const std::optional<UnameInfo>& uname);
// The container id found in /proc/self/cgroup (v1 and systemd paths) or, for cgroup v2, in
// /proc/self/mountinfo; nullopt when the process is not in a container.
std::optional<std::string> ContainerIdFromCgroup(std::string_view cgroup,
                                                 std::string_view mountinfo);
// Splits /proc/self/cmdline into arguments (a trailing NUL ends the last one).
std::vector<std::string> SplitCommandLine(std::string_view raw);

struct ResourceOptions {
  // service.name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES gives one.
  // Empty: "unknown_service:<process.executable.name>" (the specification's default).
  std::string default_service_name;
  // service.version unless the environment gives one; empty: not set.
  std::string service_version = std::string(TelemetrySdkVersion());
};

// Builds the resource by the precedence above. Problems (malformed OTEL_RESOURCE_ATTRIBUTES,
// unknown detectors, a detector that found nothing, command-line args enabled) are appended to
// `diagnostics`; this never fails. Reads files and calls the probe only for selected detectors.
Resource BuildResource(const EnvGetter& env, SystemProbe& probe, const ResourceOptions& options,
                       Diagnostics* diagnostics);

// The value of `key` in `resource` as a string (string attributes only), for callers and tests.
std::optional<std::string> ResourceString(const Resource& resource, std::string_view key);

}  // namespace klio::telemetry::setup
