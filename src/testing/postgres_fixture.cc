#include "testing/postgres_fixture.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace klio::testing {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// A connection-string value, quoted when it holds anything but plain characters.
std::string ConnValue(std::string_view v) {
  bool plain = !v.empty() && v.find_first_of(" '\\") == std::string_view::npos;
  if (plain) return std::string(v);
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// A postgresql.conf value, always single-quoted ('' escapes a quote).
std::string ConfValue(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string Tail(const std::string& text, int max_lines) {
  if (max_lines <= 0 || text.empty()) return "";
  size_t pos = text.size();
  if (text.back() == '\n') --pos;
  int lines = 0;
  while (pos > 0) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    if (++lines == max_lines) return text.substr(nl + 1);
    pos = nl;
  }
  return text;
}

std::string Shorten(std::string_view s, size_t max = 200) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...";
}

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

// State letter and parent pid from /proc/<pid>/stat; nullopt when the process is gone.
std::optional<std::pair<char, pid_t>> ProcStat(pid_t pid) {
  std::string stat = ReadFileOrEmpty("/proc/" + std::to_string(pid) + "/stat");
  // "pid (comm) S ppid ...": comm may hold spaces and parens, so parse after the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 4 >= stat.size()) return std::nullopt;
  std::istringstream in(stat.substr(close + 2));
  char state = 0;
  long ppid = 0;
  if (!(in >> state >> ppid)) return std::nullopt;
  return std::make_pair(state, static_cast<pid_t>(ppid));
}

bool Gone(pid_t pid) {
  auto st = ProcStat(pid);
  return !st || st->first == 'Z' || st->first == 'X';
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid <= 0) continue;
    auto st = ProcStat(static_cast<pid_t>(pid));
    if (st && st->second == parent) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

}  // namespace

PostgresCluster::PostgresCluster(PostgresOptions options, std::unique_ptr<TempDir> dir,
                                 std::optional<uid_t> uid, std::optional<gid_t> gid)
    : options_(std::move(options)), dir_(std::move(dir)), uid_(uid), gid_(gid) {}

Result<std::unique_ptr<PostgresCluster>> PostgresCluster::Start(PostgresOptions options) {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  if (::geteuid() == 0) {
    // initdb refuses to run as root: run the cluster as the postgres user.
    passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      return Status::FailedPrecondition(
          "postgres fixture: running as root but there is no "
          "'postgres' user to own the cluster");
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  auto dir = std::make_unique<TempDir>("klio-pg");
  if (uid && ::chown(dir->path().c_str(), *uid, *gid) != 0) {
    return Status::FromErrno(errno, "chown " + dir->path());
  }
  std::unique_ptr<PostgresCluster> c(
      new PostgresCluster(std::move(options), std::move(dir), uid, gid));
  std::vector<std::string> argv = {c->bin("initdb"),
                                   "-D",
                                   c->data_dir(),
                                   "-U",
                                   "postgres",
                                   "--auth=trust",
                                   "-E",
                                   "UTF8",
                                   "--locale=C.UTF-8",
                                   "--no-sync",
                                   "--no-instructions"};
  if (c->options_.wal_segsize_mb) {
    argv.push_back("--wal-segsize=" + std::to_string(*c->options_.wal_segsize_mb));
  }
  auto out = c->RunTool(std::move(argv));
  if (!out.ok()) return out.status();
  KLIO_RETURN_IF_ERROR(c->StartOnFreePort());
  return c;
}

Result<std::unique_ptr<PostgresCluster>> PostgresCluster::MakeStandby(
    PostgresOptions options) const {
  auto dir = std::make_unique<TempDir>("klio-pg");
  if (uid_ && ::chown(dir->path().c_str(), *uid_, *gid_) != 0) {
    return Status::FromErrno(errno, "chown " + dir->path());
  }
  std::unique_ptr<PostgresCluster> s(
      new PostgresCluster(std::move(options), std::move(dir), uid_, gid_));
  // The standby's tools run from its own dir; `this` only supplies the connection.
  auto out =
      s->RunTool({s->bin("pg_basebackup"), "-D", s->data_dir(), "-R", "-X", "stream", "-c", "fast",
                  "--no-sync", "-h", host_, "-p", std::to_string(port_), "-U", "postgres"});
  if (!out.ok()) return out.status().WithContext("standby of port " + std::to_string(port_));
  KLIO_RETURN_IF_ERROR(s->StartOnFreePort());
  return s;
}

PostgresCluster::~PostgresCluster() {
  PrintLogIfFailed();
  if (running() && !Stop(StopMode::kImmediate).ok()) (void)Kill9();
}

std::string PostgresCluster::dsn(std::string_view db) const {
  return "host=" + host_ + " port=" + std::to_string(port_) +
         " user=postgres dbname=" + ConnValue(db) + " connect_timeout=10";
}

std::string PostgresCluster::replication_dsn() const { return dsn() + " replication=database"; }

std::string PostgresCluster::bin(std::string_view name) const {
  return options_.bin_dir + "/" + std::string(name);
}

Result<Rows> PostgresCluster::ExecOn(std::string_view conninfo, std::string_view sql) {
  std::string ci(conninfo);
  PGconn* conn = PQconnectdb(ci.c_str());
  if (conn == nullptr) return Status::ResourceExhausted("libpq: out of memory");
  std::unique_ptr<PGconn, void (*)(PGconn*)> guard(conn, PQfinish);
  if (PQstatus(conn) != CONNECTION_OK) {
    return Status::Unavailable("postgres connect (" + ci + "): " + TrimRight(PQerrorMessage(conn)));
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  std::string where = std::string("postgres ") + PQhost(conn) + ":" + PQport(conn);
  std::string q(sql);
  PGresult* res = PQexec(conn, q.c_str());
  std::unique_ptr<PGresult, void (*)(PGresult*)> res_guard(res, PQclear);
  if (res == nullptr) {
    return Status::Unavailable(where + ": `" + Shorten(sql) +
                               "`: " + TrimRight(PQerrorMessage(conn)));
  }
  switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
      return Rows{};
    case PGRES_TUPLES_OK: {
      Rows rows;
      int n = PQntuples(res);
      int cols = PQnfields(res);
      rows.reserve(static_cast<size_t>(n));
      for (int r = 0; r < n; ++r) {
        std::vector<std::string> row;
        row.reserve(static_cast<size_t>(cols));
        for (int c = 0; c < cols; ++c) {
          if (PQgetisnull(res, r, c)) {
            row.emplace_back();
          } else {
            row.emplace_back(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c)));
          }
        }
        rows.push_back(std::move(row));
      }
      return rows;
    }
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
    case PGRES_COPY_BOTH:
      return Status::Unimplemented(where + ": `" + Shorten(sql) +
                                   "` started COPY; use libpq directly for streaming");
    default: {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
      std::string msg = where + ": `" + Shorten(sql) + "` failed: ";
      if (state != nullptr) msg += std::string(state) + " ";
      msg += primary != nullptr ? std::string(primary) : TrimRight(PQresultErrorMessage(res));
      return Status::FailedPrecondition(msg);
    }
  }
}

Result<Rows> PostgresCluster::Exec(std::string_view sql, std::string_view db) const {
  return ExecOn(dsn(db), sql);
}

Result<std::string> PostgresCluster::Query1(std::string_view sql, std::string_view db) const {
  KLIO_ASSIGN_OR_RETURN(Rows rows, Exec(sql, db));
  if (rows.empty() || rows[0].empty()) {
    return Status::NotFound("postgres: `" + Shorten(sql) + "` returned no rows");
  }
  return std::move(rows[0][0]);
}

Result<SystemIdentity> PostgresCluster::IdentifySystem() const {
  KLIO_ASSIGN_OR_RETURN(Rows rows, ExecOn(replication_dsn(), "IDENTIFY_SYSTEM"));
  if (rows.size() != 1 || rows[0].size() < 3) {
    return Status::Internal("postgres: IDENTIFY_SYSTEM returned an unexpected shape");
  }
  SystemIdentity id;
  id.system_id = rows[0][0];
  id.timeline = std::atoi(rows[0][1].c_str());
  id.xlogpos = rows[0][2];
  return id;
}

bool PostgresCluster::running() { return postmaster_.running(); }

Result<std::string> PostgresCluster::RunTool(std::vector<std::string> argv) const {
  std::string tool = argv.empty() ? "" : argv[0];
  std::string output;
  KLIO_ASSIGN_OR_RETURN(
      int rc, RunCommand({.argv = std::move(argv), .cwd = dir_->path(), .uid = uid_, .gid = gid_},
                         &output, std::chrono::minutes(2)));
  if (rc != 0) {
    return Status::Internal(tool + " exited with " + std::to_string(rc) + ":\n" + Tail(output, 20));
  }
  return output;
}

Status PostgresCluster::WriteConfig() {
  std::string path = data_dir() + "/postgresql.conf";
  std::ofstream out(path, std::ios::app);
  if (!out) return Status::IoError("postgres fixture: cannot append to " + path);
  std::vector<std::pair<std::string, std::string>> settings = {
      {"listen_addresses", host_},
      {"port", std::to_string(port_)},
      {"unix_socket_directories", dir_->path()},
      {"wal_level", "replica"},
      {"max_wal_senders", "10"},
      {"max_replication_slots", "10"},
      {"max_connections", "40"},
      {"shared_buffers", options_.shared_buffers},
      {"fsync", options_.fsync ? "on" : "off"},
  };
  settings.insert(settings.end(), options_.settings.begin(), options_.settings.end());
  out << "\n# klio::testing::PostgresCluster\n";
  for (const auto& [k, v] : settings) out << k << " = " << ConfValue(v) << "\n";
  out.close();
  if (!out) return Status::IoError("postgres fixture: cannot write " + path);
  return Status::Ok();
}

Status PostgresCluster::StartOnFreePort() {
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    size_t log_before = log().size();
    port_ = FreePort();
    if (port_ <= 0) return Status::Unavailable("postgres fixture: no free port");
    KLIO_RETURN_IF_ERROR(WriteConfig());
    last = StartServer();
    if (last.ok()) return last;
    // Someone else took the port between FreePort() and the bind: try another one.
    if (log().find("Address already in use", log_before) == std::string::npos) return last;
  }
  return last;
}

Status PostgresCluster::StartServer() {
  auto p = Subprocess::Start({.argv = {bin("postgres"), "-D", data_dir()},
                              .cwd = dir_->path(),
                              .log_path = log_path(),
                              .uid = uid_,
                              .gid = gid_});
  if (!p.ok()) return p.status().WithContext("postgres fixture");
  postmaster_ = std::move(p).value();
  std::string conninfo =
      "host=" + host_ + " port=" + std::to_string(port_) + " user=postgres connect_timeout=2";
  bool died = false;
  Status s = WaitFor(
      [&] {
        if (!postmaster_.running()) {
          died = true;
          return true;
        }
        // Like pg_ctl -w: postmaster.pid's status line says when the server is ready (or, for
        // a hot standby, consistent), so the log is not littered with "starting up" refusals.
        std::string pid_file = ReadFileOrEmpty(data_dir() + "/postmaster.pid");
        if (pid_file.find("\nready") == std::string::npos &&
            pid_file.find("\nstandby") == std::string::npos) {
          return false;
        }
        return PQping(conninfo.c_str()) == PQPING_OK;
      },
      options_.start_timeout, "postgres on port " + std::to_string(port_));
  if (died) {
    return Status::Unavailable("postgres on port " + std::to_string(port_) +
                               " exited during start; log tail:\n" + LogTail(20));
  }
  if (!s.ok()) {
    (void)Kill9();
    return Status::DeadlineExceeded(s.message() + "; log tail:\n" + LogTail(20));
  }
  return Status::Ok();
}

Status PostgresCluster::Restart() {
  KLIO_RETURN_IF_ERROR(Stop(StopMode::kFast));
  return StartServer();
}

Status PostgresCluster::Stop(StopMode mode) {
  if (!running()) return Status::Ok();
  postmaster_.Signal(mode == StopMode::kFast ? SIGINT : SIGQUIT);
  if (!postmaster_.Wait(std::chrono::seconds(60))) {
    (void)Kill9();
    return Status::DeadlineExceeded("postgres on port " + std::to_string(port_) +
                                    " did not stop within 60 s; killed");
  }
  return Status::Ok();
}

Status PostgresCluster::Kill9() {
  if (!running()) return Status::Ok();
  pid_t pm = postmaster_.pid();
  // Freeze the postmaster so it cannot fork while its children are collected.
  ::kill(pm, SIGSTOP);
  (void)WaitFor(
      [&] {
        auto st = ProcStat(pm);
        return !st || st->first == 'T' || st->first == 'Z';
      },
      std::chrono::seconds(5), "postmaster to stop");
  std::vector<pid_t> children = ChildrenOf(pm);
  for (pid_t c : children) {
    // Children are group leaders (setsid), so this also reaches e.g. archive_command shells.
    ::kill(-c, SIGKILL);
    ::kill(c, SIGKILL);
  }
  ::kill(pm, SIGKILL);
  if (!postmaster_.Wait(std::chrono::seconds(10))) {
    return Status::Internal("postmaster " + std::to_string(pm) + " survived SIGKILL");
  }
  return WaitFor(
      [&] {
        for (pid_t c : children) {
          if (!Gone(c)) return false;
        }
        return true;
      },
      std::chrono::seconds(10), "postgres backends to exit after SIGKILL");
}

Status PostgresCluster::Promote() {
  KLIO_ASSIGN_OR_RETURN(std::string in_recovery, Query1("SELECT pg_is_in_recovery()"));
  if (in_recovery != "t") {
    return Status::FailedPrecondition("postgres on port " + std::to_string(port_) +
                                      " is not a standby; nothing to promote");
  }
  KLIO_ASSIGN_OR_RETURN(std::string done, Query1("SELECT pg_promote(true, 60)"));
  if (done != "t") {
    return Status::DeadlineExceeded("postgres on port " + std::to_string(port_) +
                                    " did not finish promotion within 60 s");
  }
  return Status::Ok();
}

std::string PostgresCluster::log() const { return ReadFileOrEmpty(log_path()); }

std::string PostgresCluster::LogTail(int max_lines) const { return Tail(log(), max_lines); }

void PostgresCluster::PrintLogIfFailed() const {
  if (!::testing::Test::HasFailure()) return;
  std::fprintf(stderr, "---- postgres log tail (port %d, %s) ----\n%s---- end of log ----\n", port_,
               log_path().c_str(), LogTail(60).c_str());
}

}  // namespace klio::testing
