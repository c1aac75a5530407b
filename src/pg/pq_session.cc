#include "pg/pq_session.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "pg/conninfo.h"
#include "pg/pq_errors.h"

namespace klio::pg {
namespace {

using std::chrono::milliseconds;
using SteadyTime = PqSession::SteadyTime;

constexpr int kMinServerVersion = 150000;

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

// libpq's messages may span lines ("...failed: ...\n\tIs the server running..."); a Status
// message is one line.
std::string OneLine(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      out += text[i];
      continue;
    }
    while (i + 1 < text.size() && (text[i + 1] == '\t' || text[i + 1] == ' ')) ++i;
    if (i + 1 < text.size()) out += "; ";
  }
  return out;
}

void FillRows(const PGresult* r, PqSession::CommandResult* out) {
  const int cols = PQnfields(r);
  for (int c = 0; c < cols; ++c) out->types.push_back(PQftype(r, c));
  for (int i = 0; i < PQntuples(r); ++i) {
    PqSession::Row row;
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(r, i, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(
            std::string(PQgetvalue(r, i, c), static_cast<size_t>(PQgetlength(r, i, c))));
      }
    }
    out->rows.push_back(std::move(row));
  }
}

}  // namespace

PqSession::PqSession(env::Clock* clock, milliseconds io_timeout, std::vector<std::string> secrets)
    : clock_(clock), io_timeout_(io_timeout), secrets_(std::move(secrets)) {}

PqSession::~PqSession() {
  if (conn_ != nullptr) PQfinish(conn_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void PqSession::Wakeup() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

std::string PqSession::Msg(std::string_view what, std::string_view detail) const {
  return RedactText("postgres " + target_ + ": " + std::string(what) + ": " + OneLine(detail),
                    secrets_);
}

std::string PqSession::LibpqError() const { return TrimRight(PQerrorMessage(conn_)); }

Status PqSession::Fail(Status s) {
  state_ = State::kBroken;
  broken_ = s;
  return s;
}

Status PqSession::Lost(std::string_view what) {
  return Fail(Status::Unavailable(Msg(what, "connection lost: " + LibpqError())));
}

void PqSession::UpdateTarget() {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  target_ = std::string(host != nullptr && *host != '\0' ? host : "localhost") + ":" +
            (port != nullptr && *port != '\0' ? port : "5432");
}

Status PqSession::Open(const char* const* keywords, const char* const* values,
                       milliseconds connect_timeout, const std::stop_token& stop) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Fail(Status::FromErrno(errno, "postgres: eventfd"));
  std::stop_callback wake_on_stop(stop, [this] { Wakeup(); });
  conn_ = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  if (conn_ == nullptr) return Fail(Status::ResourceExhausted("postgres: libpq out of memory"));
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  UpdateTarget();
  if (PQstatus(conn_) == CONNECTION_BAD) return Lost("connect");
  const SteadyTime deadline = Deadline(connect_timeout);
  PostgresPollingStatusType poll_status = PGRES_POLLING_WRITING;
  while (poll_status != PGRES_POLLING_OK) {
    if (poll_status == PGRES_POLLING_FAILED) {
      UpdateTarget();
      return Fail(Status::Unavailable(Msg("connect", LibpqError())));
    }
    KLIO_ASSIGN_OR_RETURN(
        Wait w, WaitSocket(poll_status == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline,
                           /*wakeable=*/true));
    if (w == Wait::kTimeout) {
      return Fail(Status::DeadlineExceeded(Msg(
          "connect", "no connection within " + std::to_string(connect_timeout.count()) + " ms")));
    }
    if (w == Wait::kWoken && stop.stop_requested()) {
      return Fail(Status::Cancelled(Msg("connect", "cancelled")));
    }
    poll_status = PQconnectPoll(conn_);
    UpdateTarget();
  }
  if (PQserverVersion(conn_) < kMinServerVersion) {
    return Fail(Status::FailedPrecondition(
        Msg("connect", "server version " + std::to_string(PQserverVersion(conn_)) +
                           " is too old: klio needs PostgreSQL 15 or later "
                           "(READ_REPLICATION_SLOT)")));
  }
  if (PQsetnonblocking(conn_, 1) != 0) return Lost("connect");
  return Status::Ok();
}

Result<PqSession::Wait> PqSession::WaitSocket(PollEvents events, SteadyTime deadline,
                                              bool wakeable) {
  while (true) {
    const int sock = PQsocket(conn_);
    if (sock < 0) return Lost("wait");
    const auto left = std::chrono::ceil<milliseconds>(deadline - clock_->SteadyNow());
    const int timeout_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1 << 30));
    pollfd fds[2] = {{sock, events, 0}, {wake_fd_, POLLIN, 0}};
    const int n = ::poll(fds, wakeable ? 2 : 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(Status::FromErrno(errno, Msg("wait", "poll")));
    }
    if (wakeable && (fds[1].revents & POLLIN) != 0) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof(count));
      return Wait::kWoken;
    }
    if (n > 0) return Wait::kReady;  // readiness, or an error libpq will report
    if (timeout_ms == 0) return Wait::kTimeout;
  }
}

Status PqSession::Flush(SteadyTime deadline, std::string_view what) {
  while (true) {
    const int r = PQflush(conn_);
    if (r == 0) return Status::Ok();
    if (r < 0) return Lost(what);
    KLIO_ASSIGN_OR_RETURN(Wait w, WaitSocket(POLLIN | POLLOUT, deadline, false));
    if (w == Wait::kTimeout) {
      return Fail(Status::DeadlineExceeded(Msg(what, "the server does not read what we send")));
    }
    // libpq's advice for non-blocking sends: read whatever arrived so the server can go on.
    if (PQconsumeInput(conn_) == 0) return Lost(what);
  }
}

Result<PqResultPtr> PqSession::NextResult(SteadyTime deadline, std::string_view what) {
  while (PQisBusy(conn_)) {
    KLIO_ASSIGN_OR_RETURN(Wait w, WaitSocket(POLLIN, deadline, false));
    if (w == Wait::kTimeout) {
      return Fail(Status::DeadlineExceeded(
          Msg(what, "no answer within " + std::to_string(io_timeout_.count()) + " ms")));
    }
    if (PQconsumeInput(conn_) == 0) return Lost(what);
  }
  return PqResultPtr(PQgetResult(conn_));
}

Status PqSession::ServerError(const PGresult* r, std::string_view what) {
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
  std::string text = primary != nullptr ? primary : TrimRight(PQresultErrorMessage(r));
  if (detail != nullptr) text += " (" + std::string(detail) + ")";
  if (state != nullptr) text += " [SQLSTATE " + std::string(state) + "]";
  const StatusCode code =
      PQstatus(conn_) == CONNECTION_BAD
          ? StatusCode::kUnavailable
          : StatusCodeForSqlState(state != nullptr ? std::string_view(state) : "");
  Status s(code, Msg(what, text));
  return PQstatus(conn_) == CONNECTION_BAD ? Fail(s) : s;
}

Status PqSession::RequireState(State want, std::string_view what) const {
  if (state_ == State::kBroken) {
    return Status::Unavailable(
        Msg(what, "connection unusable after an earlier error: " + broken_.message()));
  }
  if (state_ == want) return Status::Ok();
  return Status::FailedPrecondition(Msg(what, state_ == State::kStreaming
                                                  ? "not allowed while streaming"
                                                  : "no replication stream is open"));
}

Result<PqSession::CommandResult> PqSession::RunCommand(const std::string& sql,
                                                       std::string_view what) {
  KLIO_RETURN_IF_ERROR(RequireState(State::kIdle, what));
  const SteadyTime deadline = IoDeadline();
  if (PQsendQuery(conn_, sql.c_str()) == 0) return Lost(what);
  KLIO_RETURN_IF_ERROR(Flush(deadline, what));
  CommandResult out;
  bool have_rows = false;
  Status error;
  while (true) {
    KLIO_ASSIGN_OR_RETURN(PqResultPtr r, NextResult(deadline, what));
    if (r == nullptr) break;
    const ExecStatusType st = PQresultStatus(r.get());
    switch (st) {
      case PGRES_COPY_BOTH:
        out.status = st;
        return out;
      case PGRES_TUPLES_OK:
        if (!have_rows) {
          out.status = st;
          FillRows(r.get(), &out);
          have_rows = true;
        }
        break;
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY:
        if (!have_rows) out.status = st;
        break;
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
        return Fail(Status::Corruption(Msg(what, "server unexpectedly started a plain COPY")));
      default:
        if (error.ok()) error = ServerError(r.get(), what);
        if (state_ == State::kBroken) return error;
    }
  }
  if (!error.ok()) return error;
  return out;
}

Status PqSession::CheckShape(const CommandResult& r, size_t rows, size_t cols,
                             std::string_view what) {
  if (r.status == PGRES_TUPLES_OK && r.rows.size() == rows && r.types.size() >= cols) {
    return Status::Ok();
  }
  return Fail(Status::Corruption(Msg(what, "unexpected answer: " + std::to_string(r.rows.size()) +
                                               " rows of " + std::to_string(r.types.size()) +
                                               " columns, expected " + std::to_string(rows) +
                                               " of " + std::to_string(cols))));
}

}  // namespace klio::pg
