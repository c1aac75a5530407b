// The telemetry Resource from the environment and the detectors (see resource_config.h).
#include "telemetry/setup/resource_config.h"

#include <algorithm>
#include <utility>

#include "telemetry/log_redact.h"

#ifndef KLIO_TELEMETRY_SDK_VERSION
#error "KLIO_TELEMETRY_SDK_VERSION must be defined by the build"
#endif

namespace klio::telemetry::setup {
namespace {

constexpr std::string_view kAttributesVar = "OTEL_RESOURCE_ATTRIBUTES";
constexpr std::string_view kDetectorsVar = "OTEL_RESOURCE_DETECTORS";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// RFC 3986 percent-decoding; false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;  // needs two hex digits after '%'
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// Sets `key` (replacing an earlier value, keeping its position) or appends it.
void Set(Attributes* attrs, std::string key, AttributeValue value) {
  for (KeyValue& kv : *attrs) {
    if (kv.key == key) {
      kv.value = std::move(value);
      return;
    }
  }
  attrs->emplace_back(std::move(key), std::move(value));
}

bool Has(const Attributes& attrs, std::string_view key) {
  return std::any_of(attrs.begin(), attrs.end(), [&](const KeyValue& kv) { return kv.key == key; });
}

std::optional<std::string> NonEmpty(const EnvGetter& env, std::string_view name) {
  if (!env) return std::nullopt;
  std::optional<std::string> v = env(name);
  if (!v || Trim(*v).empty()) return std::nullopt;
  return std::string(Trim(*v));
}

std::string BaseName(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

struct DetectorName {
  std::string_view id;
  Detector detector;
};
constexpr DetectorName kDetectorNames[] = {
    {"telemetry.sdk", Detector::kTelemetrySdk},
    {"host", Detector::kHost},
    {"host.id", Detector::kHostId},
    {"os.type", Detector::kOsType},
    {"os.description", Detector::kOsDescription},
    {"process.pid", Detector::kProcessPid},
    {"process.executable.name", Detector::kExecutableName},
    {"process.executable.path", Detector::kExecutablePath},
    {"process.command_args", Detector::kCommandArgs},
    {"process.owner", Detector::kOwner},
    {"process.runtime.name", Detector::kRuntimeName},
    {"process.runtime.version", Detector::kRuntimeVersion},
    {"process.runtime.description", Detector::kRuntimeDescription},
    {"container", Detector::kContainer},
};

std::string CompilerName() {
#if defined(__clang__)
  return "clang";
#elif defined(__GNUC__)
  return "gcc";
#else
  return "c++";
#endif
}

std::string CompilerVersion() {
#if defined(__clang__)
  return std::to_string(__clang_major__) + "." + std::to_string(__clang_minor__) + "." +
         std::to_string(__clang_patchlevel__);
#elif defined(__GNUC__)
  return std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

std::string RuntimeDescription(const std::optional<UnameInfo>& uname) {
  std::string d = CompilerName() + " " + CompilerVersion();
#if defined(__GLIBCXX__)
  d += ", libstdc++ " + std::to_string(__GLIBCXX__);
#elif defined(_LIBCPP_VERSION)
  d += ", libc++ " + std::to_string(_LIBCPP_VERSION);
#endif
  d += ", C++" + std::to_string(__cplusplus / 100 % 100);
  d += ", linux/" + (uname ? HostArch(uname->machine) : std::string("unknown"));
  return d;
}

// Runs one detector, adding its attributes to `attrs`.
void Detect(Detector detector, SystemProbe& probe, Attributes* attrs, Diagnostics* d) {
  const auto missing = [&](std::string_view what) {
    d->push_back({Diagnostic::Severity::kWarn, std::string(kDetectorsVar) + ": detector " +
                                                   std::string(DetectorId(detector)) +
                                                   " found no " + std::string(what)});
  };
  switch (detector) {
    case Detector::kTelemetrySdk:
      break;  // always present as SDK defaults
    case Detector::kHost:
      if (auto h = probe.HostName()) {
        Set(attrs, "host.name", *h);
      } else {
        missing("host name");
      }
      if (auto u = probe.Uname()) Set(attrs, "host.arch", HostArch(u->machine));
      break;
    case Detector::kHostId:
      if (auto id = probe.MachineId()) {
        Set(attrs, "host.id", *id);
      } else {
        missing("machine id (/etc/machine-id)");
      }
      break;
    case Detector::kOsType:
      Set(attrs, "os.type", "linux");
      break;
    case Detector::kOsDescription: {
      OsRelease os = ParseOsRelease(probe.OsReleaseText().value_or(""));
      Set(attrs, "os.description", OsDescription(os, probe.Uname()));
      if (!os.name.empty()) Set(attrs, "os.name", os.name);
      if (!os.version_id.empty()) Set(attrs, "os.version", os.version_id);
      break;
    }
    case Detector::kProcessPid:
      Set(attrs, "process.pid", probe.Pid());
      Set(attrs, "process.parent_pid", probe.ParentPid());
      break;
    case Detector::kExecutableName:
      if (auto p = probe.ExecutablePath()) {
        Set(attrs, "process.executable.name", BaseName(*p));
      } else {
        missing("executable");
      }
      break;
    case Detector::kExecutablePath:
      if (auto p = probe.ExecutablePath()) {
        Set(attrs, "process.executable.path", *p);
      } else {
        missing("executable");
      }
      break;
    case Detector::kCommandArgs: {
      std::vector<std::string> args = SplitCommandLine(probe.CommandLine().value_or(""));
      for (std::string& a : args) a = log::RedactSecrets(a);
      d->push_back({Diagnostic::Severity::kWarn,
                    std::string(kDetectorsVar) +
                        ": process.command_args puts the command line on every exported "
                        "record; it may contain secrets (known patterns are redacted)"});
      Set(attrs, "process.command_args", std::move(args));
      break;
    }
    case Detector::kOwner:
      if (auto o = probe.Owner()) Set(attrs, "process.owner", *o);
      break;
    case Detector::kRuntimeName:
      Set(attrs, "process.runtime.name", CompilerName());
      break;
    case Detector::kRuntimeVersion:
      Set(attrs, "process.runtime.version", CompilerVersion());
      break;
    case Detector::kRuntimeDescription:
      Set(attrs, "process.runtime.description", RuntimeDescription(probe.Uname()));
      break;
    case Detector::kContainer: {
      auto id = ContainerIdFromCgroup(probe.CgroupText().value_or(""),
                                      probe.MountInfoText().value_or(""));
      if (id) Set(attrs, "container.id", *id);
      break;  // not in a container: nothing to report, and nothing wrong
    }
  }
}

}  // namespace

std::string_view TelemetrySdkVersion() { return KLIO_TELEMETRY_SDK_VERSION; }

std::string_view DetectorId(Detector detector) {
  for (const DetectorName& n : kDetectorNames) {
    if (n.detector == detector) return n.id;
  }
  return "unknown";
}

std::vector<Detector> ParseDetectors(std::string_view value, Diagnostics* diagnostics) {
  std::vector<Detector> out;
  std::vector<std::string> unknown;
  const auto add = [&out](Detector det) {
    if (std::find(out.begin(), out.end(), det) == out.end()) out.push_back(det);
  };
  bool none = false;
  std::string_view rest = value;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string id = Lower(Trim(rest.substr(0, comma)));
    if (id == "all") {
      for (const DetectorName& n : kDetectorNames) {
        if (n.detector != Detector::kCommandArgs) add(n.detector);
      }
    } else if (id == "none") {
      none = true;
    } else if (id == "process.runtime") {
      add(Detector::kRuntimeName);
      add(Detector::kRuntimeVersion);
      add(Detector::kRuntimeDescription);
    } else if (id == "process.command.args") {
      add(Detector::kCommandArgs);
    } else if (!id.empty()) {
      auto it = std::find_if(std::begin(kDetectorNames), std::end(kDetectorNames),
                             [&](const DetectorName& n) { return n.id == id; });
      if (it != std::end(kDetectorNames)) {
        add(it->detector);
      } else if (std::find(unknown.begin(), unknown.end(), id) == unknown.end()) {
        unknown.push_back(id);
      }
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!unknown.empty() && diagnostics != nullptr) {
    std::string msg = std::string(kDetectorsVar) + ": unknown detector";
    msg += unknown.size() > 1 ? "s " : " ";
    for (std::size_t i = 0; i < unknown.size(); ++i) {
      msg += (i ? ", \"" : "\"") + unknown[i] + "\"";
    }
    msg += " ignored; known: all, none";
    for (const DetectorName& n : kDetectorNames) msg += ", " + std::string(n.id);
    diagnostics->push_back({Diagnostic::Severity::kWarn, std::move(msg)});
  }
  if (none && out.empty()) return {};
  return out;
}

Result<Attributes> ParseResourceAttributes(std::string_view value) {
  Attributes attrs;
  std::string_view rest = value;
  for (int index = 1;; ++index) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = Trim(rest.substr(0, comma));
    if (!item.empty()) {
      const auto where = [&] {
        return std::string(kAttributesVar) + ": item " + std::to_string(index);
      };
      const std::size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        return Status::InvalidArgument(where() + " has no '='; expected key=value[,key=value]");
      }
      std::string key;
      std::string val;
      if (!PercentDecode(Trim(item.substr(0, eq)), &key) ||
          !PercentDecode(Trim(item.substr(eq + 1)), &val)) {
        return Status::InvalidArgument(where() + " has an invalid %-escape");
      }
      if (key.empty()) return Status::InvalidArgument(where() + " has an empty key");
      Set(&attrs, std::move(key), std::move(val));
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return attrs;
}

std::string HostArch(std::string_view m) {
  if (m == "x86_64" || m == "amd64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m == "i386" || m == "i486" || m == "i586" || m == "i686") return "x86";
  if (m.starts_with("armv") || m == "arm") return "arm32";
  if (m == "ppc64le" || m == "ppc64") return "ppc64";
  if (m == "ppc") return "ppc32";
  if (m == "ia64") return "ia64";
  return std::string(m);  // s390x and others are already the semconv value
}

OsRelease ParseOsRelease(std::string_view text) {
  OsRelease os;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const std::size_t eq = line.find('=');
    if (line.empty() || line.front() == '#' || eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq);
    std::string_view val = line.substr(eq + 1);
    if (val.size() >= 2 && (val.front() == '"' || val.front() == '\'') &&
        val.back() == val.front()) {
      val = val.substr(1, val.size() - 2);
    }
    if (key == "NAME") os.name = val;
    if (key == "VERSION") os.version = val;
    if (key == "VERSION_ID") os.version_id = val;
    if (key == "PRETTY_NAME") os.pretty_name = val;
  }
  return os;
}

std::string OsDescription(const OsRelease& os, const std::optional<UnameInfo>& uname) {
  std::string d;
  if (!os.name.empty()) {
    d = os.name;
    if (!os.version.empty()) d += " " + os.version;
  } else {
    d = os.pretty_name;
  }
  if (uname) {
    std::string u = uname->sysname + " " + uname->nodename + " " + uname->release + " " +
                    uname->version + " " + uname->machine;
    d = d.empty() ? u : d + " (" + u + ")";
  }
  return d.empty() ? "linux" : d;
}

std::optional<std::string> ContainerIdFromCgroup(std::string_view cgroup,
                                                 std::string_view mountinfo) {
  constexpr std::size_t kIdLength = 64;
  // cgroup v1 and systemd: "<n>:<controllers>:/.../[prefix-]<64 hex>[.scope]".
  std::string_view rest = cgroup;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = Trim(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    std::string_view last =
        line.substr(line.rfind('/') == std::string_view::npos ? line.size() : line.rfind('/') + 1);
    if (const std::size_t dot = last.rfind('.'); dot != std::string_view::npos) {
      last = last.substr(0, dot);
    }
    if (const std::size_t sep = last.find_last_of("-:"); sep != std::string_view::npos) {
      last = last.substr(sep + 1);
    }
    if (last.size() == kIdLength && IsLowerHex(last)) return std::string(last);
  }
  // cgroup v2 hides the path; container runtimes bind-mount files from
  // ".../containers/<64 hex>/" (hostname, resolv.conf), which mountinfo shows.
  constexpr std::string_view kMarker = "/containers/";
  for (std::size_t pos = mountinfo.find(kMarker); pos != std::string_view::npos;
       pos = mountinfo.find(kMarker, pos + 1)) {
    std::string_view id = mountinfo.substr(pos + kMarker.size(), kIdLength);
    const std::size_t after = pos + kMarker.size() + kIdLength;
    if (id.size() == kIdLength && IsLowerHex(id) &&
        (after >= mountinfo.size() || mountinfo[after] == '/')) {
      return std::string(id);
    }
  }
  return std::nullopt;
}

std::vector<std::string> SplitCommandLine(std::string_view raw) {
  std::vector<std::string> args;
  while (!raw.empty()) {
    const std::size_t nul = raw.find('\0');
    args.emplace_back(raw.substr(0, nul));
    if (nul == std::string_view::npos) break;
    raw.remove_prefix(nul + 1);
  }
  return args;
}

Resource BuildResource(const EnvGetter& env, SystemProbe& probe, const ResourceOptions& options,
                       Diagnostics* diagnostics) {
  Diagnostics local;
  Diagnostics* d = diagnostics != nullptr ? diagnostics : &local;
  Resource resource;
  Attributes& attrs = resource.attributes;

  // 1. SDK defaults.
  Set(&attrs, "telemetry.sdk.name", std::string(kSdkName));
  Set(&attrs, "telemetry.sdk.language", std::string(kSdkLanguage));
  Set(&attrs, "telemetry.sdk.version", std::string(TelemetrySdkVersion()));
  if (!options.default_service_name.empty()) {
    Set(&attrs, "service.name", options.default_service_name);
  } else {
    std::optional<std::string> exe = probe.ExecutablePath();
    Set(&attrs, "service.name", exe ? "unknown_service:" + BaseName(*exe) : "unknown_service");
  }
  if (!options.service_version.empty()) Set(&attrs, "service.version", options.service_version);

  // 2. Detectors.
  std::optional<std::string> ids = NonEmpty(env, kDetectorsVar);
  for (Detector det : ParseDetectors(ids.value_or(std::string(kDefaultDetectors)), d)) {
    Detect(det, probe, &attrs, d);
  }

  // 4 before 3: the Kubernetes fallbacks must not replace a key OTEL_RESOURCE_ATTRIBUTES gives.
  Attributes from_env;
  if (std::optional<std::string> text = NonEmpty(env, kAttributesVar)) {
    Result<Attributes> parsed = ParseResourceAttributes(*text);
    if (parsed.ok()) {
      from_env = std::move(*parsed);
    } else {
      d->push_back({Diagnostic::Severity::kError,
                    parsed.status().message() + "; the whole variable is ignored"});
    }
  }

  // 3. Kubernetes fallbacks.
  constexpr std::pair<std::string_view, std::string_view> kK8s[] = {
      {"CONTAINER_NAME", "k8s.container.name"},
      {"POD_NAME", "k8s.pod.name"},
      {"NAMESPACE_NAME", "k8s.namespace.name"},
  };
  for (const auto& [var, key] : kK8s) {
    if (Has(from_env, key)) continue;
    if (std::optional<std::string> v = NonEmpty(env, var)) Set(&attrs, std::string(key), *v);
  }

  // 4. OTEL_RESOURCE_ATTRIBUTES.
  const bool service_in_env = Has(from_env, "service.name");
  for (KeyValue& kv : from_env) Set(&attrs, std::move(kv.key), std::move(kv.value));

  // 5. OTEL_SERVICE_NAME.
  if (std::optional<std::string> name = NonEmpty(env, "OTEL_SERVICE_NAME")) {
    Set(&attrs, "service.name", *name);
  } else if (!service_in_env) {
    d->push_back(
        {Diagnostic::Severity::kWarn, "OTEL_SERVICE_NAME is not set; using service.name=" +
                                          ResourceString(resource, "service.name").value_or("")});
  }
  return resource;
}

std::optional<std::string> ResourceString(const Resource& resource, std::string_view key) {
  for (const KeyValue& kv : resource.attributes) {
    if (kv.key == key) {
      if (const auto* s = std::get_if<std::string>(&kv.value)) return *s;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace klio::telemetry::setup
