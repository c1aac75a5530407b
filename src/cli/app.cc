#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <regex>

#include "cli/certs_command.h"
#include "cli/config_command.h"
#include "cli/edit_distance.h"
#include "cli/klio_schema.h"
#include "cli/log_config.h"

#ifndef KLIO_VERSION
#error "KLIO_VERSION must be defined by the build"
#endif

namespace klio::cli {
namespace {

// A global flag that sets a configuration key (highest precedence).
struct ConfigFlag {
  std::string flag;  // "--log-level"
  std::string key;   // "log.level"
  std::string value;
  CLI::Option* option = nullptr;
};

// Root first, then each selected subcommand down to the one that will run.
std::vector<CLI::App*> SelectedChain(CLI::App* root) {
  std::vector<CLI::App*> chain = {root};
  while (true) {
    std::vector<CLI::App*> subs = chain.back()->get_subcommands();
    if (subs.empty()) return chain;
    chain.push_back(subs.front());
  }
}

std::string CommandPath(const std::vector<CLI::App*>& chain) {
  std::string path;
  for (const CLI::App* app : chain) {
    if (!path.empty()) path += ' ';
    path += app->get_name();
  }
  return path;
}

std::string HelpHint(const std::vector<CLI::App*>& chain) {
  return " (see \"" + CommandPath(chain) + " --help\")";
}

// CLI11 messages can span lines and start with a capital; ours are one lowercase line.
std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += "; ";
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  if (out.size() > 1 && std::isupper(static_cast<unsigned char>(out[0])) &&
      std::islower(static_cast<unsigned char>(out[1]))) {
    out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

// Every long flag name accepted by the commands on `chain` (fallthrough makes a parent's
// flags valid in its subcommands).
std::vector<std::string> FlagNames(const std::vector<CLI::App*>& chain) {
  std::vector<std::string> names;
  for (const CLI::App* app : chain) {
    for (const CLI::Option* opt : app->get_options()) {
      for (const std::string& name : opt->get_lnames()) names.push_back("--" + name);
    }
  }
  names.push_back("--version");
  return names;
}

// The message for the first argument no command accepted.
std::string ExtraArgumentError(const std::vector<CLI::App*>& chain, const std::string& extra) {
  const std::string path = CommandPath(chain);
  if (extra.starts_with("-")) {
    const std::string flag = extra.substr(0, extra.find('='));
    std::string msg = "unknown flag \"" + flag + "\" for \"" + path + "\"";
    const std::string hint = ClosestMatch(flag, FlagNames(chain));
    return msg + (hint.empty() ? HelpHint(chain) : " (did you mean \"" + hint + "\"?)");
  }
  const CLI::App* leaf = chain.back();
  std::vector<std::string> commands;
  for (const CLI::App* sub : leaf->get_subcommands({})) commands.push_back(sub->get_name());
  if (!commands.empty()) {
    std::string msg = "unknown command \"" + extra + "\" for \"" + path + "\"";
    const std::string hint = ClosestMatch(extra, commands);
    return msg + (hint.empty() ? HelpHint(chain) : " (did you mean \"" + hint + "\"?)");
  }
  return "unexpected argument \"" + extra + "\" for \"" + path + "\"" + HelpHint(chain);
}

// CLI11's wording for the common mistakes, made plainer; anything else as CLI11 says it.
std::string DescribeParseError(const CLI::ParseError& e) {
  const std::string text = OneLine(e.what());
  static const std::regex kMissingValue(R"(^(-[-\w]+): 1 required (\w+) missing$)");
  static const std::regex kRepeated(R"(^(-[-\w]+): At Most 1 required but received \d+$)");
  std::smatch m;
  if (std::regex_match(text, m, kMissingValue))
    return m[1].str() + " needs a value (" + m[2].str() + ")";
  if (std::regex_match(text, m, kRepeated)) return m[1].str() + " was given more than once";
  return text;
}

int UsageError(std::ostream& err, const std::string& message) {
  err << "klio: error: " << message << "\n";
  return kExitUsage;
}

}  // namespace

std::string VersionString() { return std::string("klio ") + KLIO_VERSION; }

int RunKlio(const std::vector<std::string>& args, AppIo io) {
  CLI::App root("continuous backup and point-in-time recovery for PostgreSQL", "klio");
  root.set_help_flag("-h,--help", "Print this help and exit");
  root.set_version_flag("--version", VersionString(), "Print the version and exit");
  // Unknown arguments are collected and reported by us in one line, never by CLI11.
  root.allow_extras();
  root.fallthrough();
  root.require_subcommand(0, 1);

  std::string config_file;
  CLI::Option* config_option =
      root.add_option("--config", config_file,
                      "YAML configuration file; without it no file is read (docs/configuration.md)")
          ->type_name("FILE");
  std::vector<ConfigFlag> config_flags = {
      {.flag = "--log-level", .key = "log.level"},
      {.flag = "--log-format", .key = "log.format"},
  };
  Result<Schema> schema = KlioSchema();
  if (!schema.ok()) {
    io.err << "klio: error: " << schema.status().message() << "\n";
    return schema.status().ExitCode();
  }
  for (ConfigFlag& f : config_flags) {
    const KeySpec* spec = schema->Find(f.key);
    std::string help;
    for (const std::string& word : spec->allowed) help += (help.empty() ? "" : "|") + word;
    help += "; overrides " + Schema::EnvVarName(f.key) + " and " + f.key + " (default " +
            spec->default_value.value_or("unset") + ")";
    f.option = root.add_option(f.flag, f.value, help)->type_name("WORD");
  }

  // Inherited by every subcommand created below; the root gets its own footer afterwards.
  root.footer("Global flags --config, --log-level and --log-format work here too (klio --help).");

  // Commands: groups are plain subcommands; leaves are Command objects.
  std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>> leaves;
  auto add_leaf = [&](CLI::App& parent, std::unique_ptr<Command> cmd) {
    CLI::App* app = cmd->Register(parent);
    leaves.emplace_back(app, std::move(cmd));
  };
  CLI::App* certs = root.add_subcommand("certs", "Certificates for klio's mutual TLS");
  add_leaf(*certs, std::make_unique<CertsGenerateCommand>());
  CLI::App* config = root.add_subcommand("config", "Inspect and validate the configuration");
  add_leaf(*config, std::make_unique<ConfigShowCommand>());
  add_leaf(*config, std::make_unique<ConfigCheckCommand>());
  root.footer(
      "Configuration: flags override environment variables, which override the --config file "
      "(docs/configuration.md).\n"
      "Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 corruption, 5 unavailable.");

  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    root.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    io.out << root.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    io.out << root.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    io.out << e.what() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    const std::vector<CLI::App*> chain = SelectedChain(&root);
    // An unknown flag explains a "required" error better ("--dri" for "--dir").
    const std::vector<std::string> extras = root.remaining(true);
    if (!extras.empty()) return UsageError(io.err, ExtraArgumentError(chain, extras.front()));
    return UsageError(io.err, DescribeParseError(e) + HelpHint(chain));
  }

  const std::vector<CLI::App*> chain = SelectedChain(&root);
  const std::vector<std::string> extras = root.remaining(true);
  if (!extras.empty()) return UsageError(io.err, ExtraArgumentError(chain, extras.front()));
  auto leaf = std::find_if(leaves.begin(), leaves.end(),
                           [&](const auto& l) { return l.first == chain.back(); });
  if (leaf == leaves.end()) {
    // A group without its subcommand ("klio", "klio certs"): show what can follow.
    io.err << root.help();
    return kExitUsage;
  }

  ConfigSources sources{.env = std::move(io.env)};
  if (config_option->count() > 0) {
    if (config_file.empty()) return UsageError(io.err, "--config: expected a file name");
    sources.file = config_file;
  }
  for (const ConfigFlag& f : config_flags) {
    if (f.option->count() > 0) {
      sources.flags.push_back({.key = f.key, .flag = f.flag, .text = f.value});
    }
  }
  Result<Config> loaded = LoadConfig(*schema, sources, io.fs);
  if (!loaded.ok()) {
    io.err << "klio: error: " << loaded.status().message() << "\n";
    return loaded.status().ExitCode();
  }
  if (Status st = ConfigureLogging(*loaded); !st.ok()) {
    io.err << "klio: error: " << st.message() << "\n";
    return st.ExitCode();
  }
  const CommandContext ctx{
      .config = *loaded, .out = io.out, .err = io.err, .fs = io.fs, .clock = io.clock};
  Status st = leaf->second->Run(ctx);
  io.out.flush();
  if (!st.ok()) {
    io.err << "klio: error: " << st.message() << "\n";
    return st.ExitCode();
  }
  return kExitOk;
}

}  // namespace klio::cli
