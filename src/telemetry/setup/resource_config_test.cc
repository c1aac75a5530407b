// Resource rules of resource_config.h: OTEL_RESOURCE_ATTRIBUTES parsing (spec vectors),
// OTEL_SERVICE_NAME precedence, Kubernetes fallbacks, detectors with a fake probe, and the
// Linux probe against this process.
#include "telemetry/setup/resource_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "testing/process.h"

namespace klio::telemetry::setup {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Vars = std::map<std::string, std::string, std::less<>>;

class FakeProbe final : public SystemProbe {
 public:
  std::optional<std::string> host_name = "db-1";
  std::optional<UnameInfo> uname =
      UnameInfo{"Linux", "db-1", "6.1.0-18-amd64", "#1 SMP Debian", "x86_64"};
  std::optional<std::string> machine_id = "0123456789abcdef0123456789abcdef";
  std::optional<std::string> os_release =
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
      "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n";
  std::optional<std::string> exe = "/usr/bin/klio";
  std::optional<std::string> cmdline = std::string("klio\0server\0--password=hunter2\0", 31);
  std::optional<std::string> owner = "postgres";
  std::optional<std::string> cgroup = "0::/\n";
  std::optional<std::string> mountinfo = "";
  int calls = 0;

  std::optional<std::string> HostName() override { return ++calls, host_name; }
  std::optional<UnameInfo> Uname() override { return ++calls, uname; }
  std::optional<std::string> MachineId() override { return ++calls, machine_id; }
  std::optional<std::string> OsReleaseText() override { return ++calls, os_release; }
  std::int64_t Pid() override { return ++calls, 4242; }
  std::int64_t ParentPid() override { return ++calls, 1; }
  std::optional<std::string> ExecutablePath() override { return exe; }  // service.name default
  std::optional<std::string> CommandLine() override { return ++calls, cmdline; }
  std::optional<std::string> Owner() override { return ++calls, owner; }
  std::optional<std::string> CgroupText() override { return ++calls, cgroup; }
  std::optional<std::string> MountInfoText() override { return ++calls, mountinfo; }
};

struct Built {
  Resource resource;
  Diagnostics diagnostics;
  std::optional<std::string> Get(std::string_view key) const {
    return ResourceString(resource, key);
  }
  bool Has(std::string_view key) const {
    for (const KeyValue& kv : resource.attributes) {
      if (kv.key == key) return true;
    }
    return false;
  }
  const AttributeValue* Value(std::string_view key) const {
    for (const KeyValue& kv : resource.attributes) {
      if (kv.key == key) return &kv.value;
    }
    return nullptr;
  }
  std::string AllMessages() const {
    std::string all;
    for (const Diagnostic& d : diagnostics) all += d.message + "\n";
    return all;
  }
};

Built Build(Vars vars, FakeProbe* probe = nullptr, ResourceOptions options = {}) {
  FakeProbe local;
  Built b;
  b.resource = BuildResource(MapEnvironment(std::move(vars)).get, probe ? *probe : local, options,
                             &b.diagnostics);
  return b;
}

// --- OTEL_RESOURCE_ATTRIBUTES ---

TEST(ResourceAttributesTest, SpecVectors) {
  Result<Attributes> a = ParseResourceAttributes("a=1,b=x%2Cy,c=p%3Dq");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_THAT(*a, ElementsAre(KeyValue("a", "1"), KeyValue("b", "x,y"), KeyValue("c", "p=q")));

  a = ParseResourceAttributes("service.name=klio-server, deployment.environment=prod");
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(*a, ElementsAre(KeyValue("service.name", "klio-server"),
                              KeyValue("deployment.environment", "prod")));

  EXPECT_FALSE(ParseResourceAttributes("a=%ZZ").ok());
}

TEST(ResourceAttributesTest, DecodingTrimmingAndEdgeCases) {
  struct Case {
    std::string in;
    Attributes want;
  };
  const Case cases[] = {
      {"k=hello%20world", {KeyValue("k", "hello world")}},
      {"k=caf%C3%A9", {KeyValue("k", "caf\xC3\xA9")}},
      {"k=100%25", {KeyValue("k", "100%")}},
      {"%6Bey=v", {KeyValue("key", "v")}},
      {"  k  =  v  ", {KeyValue("k", "v")}},
      {"k=%20v%20", {KeyValue("k", " v ")}},  // trimming happens before decoding
      {"k=", {KeyValue("k", "")}},
      {"k=a=b", {KeyValue("k", "a=b")}},  // split on the first '='
      {"a=1,,b=2,", {KeyValue("a", "1"), KeyValue("b", "2")}},
      {"a=1,a=2", {KeyValue("a", "2")}},  // last wins
      {"", {}},
  };
  for (const Case& tc : cases) {
    Result<Attributes> a = ParseResourceAttributes(tc.in);
    ASSERT_TRUE(a.ok()) << tc.in << ": " << a.status().ToString();
    EXPECT_EQ(*a, tc.want) << tc.in;
  }
}

TEST(ResourceAttributesTest, MalformedRejectsWholeVariableWithoutEchoingValues) {
  const std::pair<std::string, std::string> cases[] = {
      {"a=1,secretvalue", "item 2 has no '='"},
      {"a=1,=v", "item 2 has an empty key"},
      {"token=abc%2", "item 1 has an invalid %-escape"},
      {"token=abc%G1", "item 1 has an invalid %-escape"},
      {"k%=v", "item 1 has an invalid %-escape"},
  };
  for (const auto& [in, want] : cases) {
    Result<Attributes> a = ParseResourceAttributes(in);
    ASSERT_FALSE(a.ok()) << in;
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(a.status().message(), AllOf(HasSubstr("OTEL_RESOURCE_ATTRIBUTES"), HasSubstr(want),
                                            Not(HasSubstr("secretvalue")), Not(HasSubstr("abc"))));
  }
}

// --- Precedence ---

TEST(ResourceTest, DefaultsWithNothingSet) {
  Built b = Build({});
  EXPECT_EQ(b.Get("telemetry.sdk.name"), "klio-telemetry");
  EXPECT_EQ(b.Get("telemetry.sdk.language"), "cpp");
  EXPECT_EQ(b.Get("telemetry.sdk.version"), std::string(TelemetrySdkVersion()));
  EXPECT_FALSE(TelemetrySdkVersion().empty());
  EXPECT_EQ(b.Get("service.name"), "unknown_service:klio");
  EXPECT_EQ(b.Get("service.version"), std::string(TelemetrySdkVersion()));
  // Default detectors: telemetry.sdk, host, os.type, process.executable.name.
  EXPECT_EQ(b.Get("host.name"), "db-1");
  EXPECT_EQ(b.Get("host.arch"), "amd64");
  EXPECT_EQ(b.Get("os.type"), "linux");
  EXPECT_EQ(b.Get("process.executable.name"), "klio");
  EXPECT_FALSE(b.Has("process.pid"));
  EXPECT_FALSE(b.Has("host.id"));
  EXPECT_FALSE(b.Has("process.command_args"));
  EXPECT_THAT(b.AllMessages(), HasSubstr("OTEL_SERVICE_NAME is not set"));
}

TEST(ResourceTest, ServiceNamePrecedence) {
  struct Case {
    Vars vars;
    std::string default_name;
    std::string want;
  };
  const Case cases[] = {
      {{}, "", "unknown_service:klio"},
      {{}, "klio-server", "klio-server"},
      {{{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs"}}, "klio-server", "from-attrs"},
      {{{"OTEL_SERVICE_NAME", "from-var"}}, "klio-server", "from-var"},
      {{{"OTEL_SERVICE_NAME", "from-var"}, {"OTEL_RESOURCE_ATTRIBUTES", "service.name=a"}},
       "",
       "from-var"},
      {{{"OTEL_SERVICE_NAME", ""}, {"OTEL_RESOURCE_ATTRIBUTES", "service.name=a"}}, "", "a"},
  };
  for (const Case& tc : cases) {
    ResourceOptions options;
    options.default_service_name = tc.default_name;
    EXPECT_EQ(Build(tc.vars, nullptr, options).Get("service.name"), tc.want) << tc.want;
  }
  FakeProbe no_exe;
  no_exe.exe.reset();
  EXPECT_EQ(Build({}, &no_exe).Get("service.name"), "unknown_service");
}

TEST(ResourceTest, AttributesOverrideDetectorsAndDefaults) {
  Built b = Build({{"OTEL_RESOURCE_ATTRIBUTES",
                    "host.name=override,service.version=9.9,deployment.environment=prod"}});
  EXPECT_EQ(b.Get("host.name"), "override");
  EXPECT_EQ(b.Get("service.version"), "9.9");
  EXPECT_EQ(b.Get("deployment.environment"), "prod");
}

TEST(ResourceTest, MalformedAttributesAreDiscardedWithOneError) {
  Built b = Build({{"OTEL_RESOURCE_ATTRIBUTES", "good=1,bad"}, {"POD_NAME", "pod-7"}});
  EXPECT_FALSE(b.Has("good"));
  EXPECT_EQ(b.Get("k8s.pod.name"), "pod-7");  // the rest of the resource is intact
  int errors = 0;
  for (const Diagnostic& d : b.diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) {
      ++errors;
      EXPECT_THAT(d.message, AllOf(HasSubstr("OTEL_RESOURCE_ATTRIBUTES"),
                                   HasSubstr("the whole variable is ignored")));
    }
  }
  EXPECT_EQ(errors, 1);
}

TEST(ResourceTest, KubernetesVariables) {
  struct Case {
    Vars vars;
    std::map<std::string, std::optional<std::string>> want;
  };
  const Case cases[] = {
      // Each variable on its own.
      {{{"POD_NAME", "p"}},
       {{"k8s.pod.name", "p"},
        {"k8s.container.name", std::nullopt},
        {"k8s.namespace.name", std::nullopt}}},
      {{{"CONTAINER_NAME", "c"}}, {{"k8s.container.name", "c"}, {"k8s.pod.name", std::nullopt}}},
      {{{"NAMESPACE_NAME", "n"}}, {{"k8s.namespace.name", "n"}}},
      {{{"CONTAINER_NAME", "c"}, {"POD_NAME", "p"}, {"NAMESPACE_NAME", "n"}},
       {{"k8s.container.name", "c"}, {"k8s.pod.name", "p"}, {"k8s.namespace.name", "n"}}},
      // OTEL_RESOURCE_ATTRIBUTES wins per key; the others are still filled.
      {{{"POD_NAME", "from-env"},
        {"NAMESPACE_NAME", "ns"},
        {"OTEL_RESOURCE_ATTRIBUTES", "k8s.pod.name=from-attrs"}},
       {{"k8s.pod.name", "from-attrs"}, {"k8s.namespace.name", "ns"}}},
      {{{"CONTAINER_NAME", "c"}, {"OTEL_RESOURCE_ATTRIBUTES", "k8s.container.name="}},
       {{"k8s.container.name", ""}}},
      // Empty means unset.
      {{{"POD_NAME", ""}}, {{"k8s.pod.name", std::nullopt}}},
      // A malformed OTEL_RESOURCE_ATTRIBUTES gives nothing, so the fallback applies.
      {{{"POD_NAME", "p"}, {"OTEL_RESOURCE_ATTRIBUTES", "k8s.pod.name=x,oops"}},
       {{"k8s.pod.name", "p"}}},
  };
  for (const Case& tc : cases) {
    Built b = Build(tc.vars);
    for (const auto& [key, want] : tc.want) EXPECT_EQ(b.Get(key), want) << key;
  }
}

// --- Detectors ---

TEST(DetectorsTest, ParseList) {
  Diagnostics d;
  EXPECT_THAT(ParseDetectors("host, OS.TYPE ,host,process.pid", &d),
              ElementsAre(Detector::kHost, Detector::kOsType, Detector::kProcessPid));
  EXPECT_THAT(ParseDetectors("none", &d), IsEmpty());
  EXPECT_THAT(ParseDetectors("process.runtime", &d),
              ElementsAre(Detector::kRuntimeName, Detector::kRuntimeVersion,
                          Detector::kRuntimeDescription));
  EXPECT_THAT(ParseDetectors("process.command.args", &d), ElementsAre(Detector::kCommandArgs));
  std::vector<Detector> all = ParseDetectors("all", &d);
  EXPECT_EQ(all.size(), 13u);
  EXPECT_EQ(std::count(all.begin(), all.end(), Detector::kCommandArgs), 0);
  EXPECT_THAT(d, IsEmpty());
}

TEST(DetectorsTest, UnknownIdsWarnOnceAndTheRestRun) {
  Built b = Build({{"OTEL_RESOURCE_DETECTORS", "aws.ec2,host.id,gcp,aws.ec2,process.pid"}});
  ASSERT_EQ(b.diagnostics.size(), 2u) << b.AllMessages();  // + OTEL_SERVICE_NAME not set
  EXPECT_EQ(b.diagnostics[0].severity, Diagnostic::Severity::kWarn);
  EXPECT_THAT(b.diagnostics[0].message,
              AllOf(HasSubstr("OTEL_RESOURCE_DETECTORS"), HasSubstr("\"aws.ec2\", \"gcp\""),
                    HasSubstr("known: all, none, telemetry.sdk")));
  EXPECT_EQ(b.Get("host.id"), "0123456789abcdef0123456789abcdef");
  const AttributeValue* pid = b.Value("process.pid");
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(std::get<std::int64_t>(*pid), 4242);
  EXPECT_FALSE(b.Has("host.name"));  // not the defaults: the variable replaced them
}

TEST(DetectorsTest, NoneKeepsOnlySdkDefaultsAndProbesNothing) {
  FakeProbe probe;
  Built b = Build({{"OTEL_RESOURCE_DETECTORS", "none"}, {"OTEL_SERVICE_NAME", "s"}}, &probe);
  EXPECT_EQ(probe.calls, 0);
  std::vector<std::string> keys;
  for (const KeyValue& kv : b.resource.attributes) keys.push_back(kv.key);
  EXPECT_THAT(keys, ElementsAre("telemetry.sdk.name", "telemetry.sdk.language",
                                "telemetry.sdk.version", "service.name", "service.version"));
  EXPECT_THAT(b.diagnostics, IsEmpty());
}

TEST(DetectorsTest, EveryDetector) {
  FakeProbe probe;
  probe.cgroup = "0::/\n";
  probe.mountinfo =
      "1 2 0:1 /var/lib/docker/containers/"
      "a4b7c2d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c/hostname /etc/hostname "
      "rw - ext4 /dev/sda rw\n";
  Built b = Build({{"OTEL_RESOURCE_DETECTORS", "all,process.command_args"}}, &probe);
  EXPECT_EQ(b.Get("host.name"), "db-1");
  EXPECT_EQ(b.Get("host.arch"), "amd64");
  EXPECT_EQ(b.Get("host.id"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(b.Get("os.type"), "linux");
  EXPECT_EQ(b.Get("os.description"),
            "Debian GNU/Linux 12 (bookworm) (Linux db-1 6.1.0-18-amd64 #1 SMP Debian x86_64)");
  EXPECT_EQ(b.Get("os.name"), "Debian GNU/Linux");
  EXPECT_EQ(b.Get("os.version"), "12");
  EXPECT_EQ(std::get<std::int64_t>(*b.Value("process.parent_pid")), 1);
  EXPECT_EQ(b.Get("process.executable.name"), "klio");
  EXPECT_EQ(b.Get("process.executable.path"), "/usr/bin/klio");
  EXPECT_EQ(b.Get("process.owner"), "postgres");
  EXPECT_THAT(b.Get("process.runtime.name").value_or(""), ::testing::AnyOf("gcc", "clang"));
  EXPECT_THAT(b.Get("process.runtime.version").value_or(""), ::testing::MatchesRegex("[0-9.]+"));
  EXPECT_THAT(b.Get("process.runtime.description").value_or(""),
              AllOf(HasSubstr("C++20"), HasSubstr("linux/amd64")));
  EXPECT_EQ(b.Get("container.id"),
            "a4b7c2d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c");
  // Command-line arguments: a string array, secrets redacted, and a warning.
  const AttributeValue* args = b.Value("process.command_args");
  ASSERT_NE(args, nullptr);
  EXPECT_THAT(std::get<std::vector<std::string>>(*args),
              ElementsAre("klio", "server", "--password=[REDACTED]"));
  EXPECT_THAT(b.AllMessages(), HasSubstr("may contain secrets"));
}

TEST(DetectorsTest, MissingFactsAreLeftOutWithAWarning) {
  FakeProbe probe;
  probe.host_name.reset();
  probe.machine_id.reset();
  Built b = Build({{"OTEL_RESOURCE_DETECTORS", "host,host.id"}}, &probe);
  EXPECT_FALSE(b.Has("host.name"));
  EXPECT_FALSE(b.Has("host.id"));
  EXPECT_EQ(b.Get("host.arch"), "amd64");
  EXPECT_THAT(b.AllMessages(),
              AllOf(HasSubstr("found no host name"), HasSubstr("found no machine id")));
}

TEST(DetectorsTest, PureHelpers) {
  EXPECT_EQ(HostArch("x86_64"), "amd64");
  EXPECT_EQ(HostArch("aarch64"), "arm64");
  EXPECT_EQ(HostArch("armv7l"), "arm32");
  EXPECT_EQ(HostArch("i686"), "x86");
  EXPECT_EQ(HostArch("ppc64le"), "ppc64");
  EXPECT_EQ(HostArch("s390x"), "s390x");

  EXPECT_THAT(SplitCommandLine(std::string("a\0b c\0\0d\0", 9)), ElementsAre("a", "b c", "", "d"));
  EXPECT_THAT(SplitCommandLine(""), IsEmpty());

  OsRelease os = ParseOsRelease("# c\nNAME='Alpine Linux'\nPRETTY_NAME=\"Alpine v3\"\n");
  EXPECT_EQ(os.name, "Alpine Linux");
  EXPECT_EQ(OsDescription(os, std::nullopt), "Alpine Linux");
  EXPECT_EQ(OsDescription(OsRelease{.pretty_name = "P"}, std::nullopt), "P");
  EXPECT_EQ(OsDescription(OsRelease{}, std::nullopt), "linux");
}

TEST(DetectorsTest, ContainerIdFromCgroupVectors) {
  const std::string id = "3f4d1c2b0a9e8d7c6b5a49382716f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e";
  struct Case {
    std::string cgroup, mountinfo;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"12:memory:/docker/" + id + "\n", "", id},
      {"0::/system.slice/docker-" + id + ".scope\n", "", id},
      {"1:name=systemd:/kubepods/burstable/pod1/cri-containerd-" + id + ".scope\n", "", id},
      {"11:cpu:/kubepods/besteffort/pod2/crio-" + id + "\n", "", id},
      {"0::/user.slice/user-1000.slice/session-3.scope\n", "", std::nullopt},
      {"4:memory:/process_api/6ae42b5f817f812590877be05d252033\n", "", std::nullopt},
      {"0::/\n", "100 90 0:50 /var/lib/containerd/x/containers/" + id + "/hostname /etc/h rw\n",
       id},
      {"0::/\n", "1 2 3 /sandboxes/" + id + "/hostname /etc/hostname rw\n", std::nullopt},
      {"", "", std::nullopt},
  };
  for (const Case& tc : cases) {
    EXPECT_EQ(ContainerIdFromCgroup(tc.cgroup, tc.mountinfo), tc.want) << tc.cgroup;
  }
}

TEST(LinuxProbeTest, ReadsThisProcess) {
  std::unique_ptr<SystemProbe> probe = NewLinuxSystemProbe();
  EXPECT_EQ(probe->Pid(), getpid());
  EXPECT_EQ(probe->ParentPid(), getppid());
  ASSERT_TRUE(probe->ExecutablePath().has_value());
  EXPECT_THAT(*probe->ExecutablePath(), HasSubstr("telemetry_setup_test"));
  ASSERT_TRUE(probe->HostName().has_value());
  ASSERT_TRUE(probe->Uname().has_value());
  EXPECT_EQ(probe->Uname()->sysname, "Linux");
  std::vector<std::string> args = SplitCommandLine(probe->CommandLine().value_or(""));
  ASSERT_FALSE(args.empty());
  EXPECT_THAT(args[0], HasSubstr("telemetry_setup_test"));
  EXPECT_TRUE(probe->Owner().has_value());
}

TEST(LinuxProbeTest, FakeEtcRoot) {
  testing::TempDir etc("klio-etc");
  std::ofstream(etc.Join("machine-id")) << "  feedface\n";
  std::ofstream(etc.Join("os-release")) << "NAME=Fake\nVERSION_ID=1\n";
  std::unique_ptr<SystemProbe> probe = NewLinuxSystemProbe("/proc", etc.path());
  EXPECT_EQ(probe->MachineId(), "feedface");
  EXPECT_EQ(ParseOsRelease(probe->OsReleaseText().value_or("")).version_id, "1");
}

}  // namespace
}  // namespace klio::telemetry::setup
