#include "env/fault_file_system.h"

#include <algorithm>
#include <utility>

#include "env/path_util.h"

namespace klio::env {

std::string_view FaultOpName(FaultOp op) {
  switch (op) {
    case FaultOp::kNewWritableFile: return "new_writable_file";
    case FaultOp::kNewReadableFile: return "new_readable_file";
    case FaultOp::kExists: return "exists";
    case FaultOp::kFileSize: return "file_size";
    case FaultOp::kListDir: return "list_dir";
    case FaultOp::kCreateDirs: return "create_dirs";
    case FaultOp::kRemoveFile: return "remove_file";
    case FaultOp::kRemoveDir: return "remove_dir";
    case FaultOp::kRename: return "rename";
    case FaultOp::kTruncate: return "truncate";
    case FaultOp::kSyncDir: return "sync_dir";
    case FaultOp::kSetPermissions: return "set_permissions";
    case FaultOp::kAppend: return "append";
    case FaultOp::kSync: return "sync";
    case FaultOp::kClose: return "close";
    case FaultOp::kReadAt: return "read_at";
    case FaultOp::kReadSize: return "read_size";
  }
  return "unknown";
}

Status InjectedFault() { return Status::IoError("injected fault"); }

// A writable file whose every call is a counted operation of its FaultFileSystem.
class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultFileSystem* fs, std::unique_ptr<WritableFile> base, std::string path,
                    std::shared_ptr<FaultFileSystem::FileState> state)
      : fs_(fs), base_(std::move(base)), path_(std::move(path)), state_(std::move(state)) {}

  ~FaultWritableFile() override {
    std::lock_guard lock(fs_->mu_);
    fs_->open_files_.erase(this);
    base_.reset();  // closes the wrapped file if still open; not an operation
  }
  FaultWritableFile(const FaultWritableFile&) = delete;
  FaultWritableFile& operator=(const FaultWritableFile&) = delete;

  Status Append(std::span<const std::uint8_t> data) override {
    std::lock_guard lock(fs_->mu_);
    KLIO_RETURN_IF_ERROR(fs_->CheckOp(FaultOp::kAppend, path_));
    if (dead_) return Dead("append");
    return base_->Append(data);
  }

  Status Sync() override {
    std::lock_guard lock(fs_->mu_);
    KLIO_RETURN_IF_ERROR(fs_->CheckOp(FaultOp::kSync, path_));
    if (dead_) return Dead("sync");
    KLIO_RETURN_IF_ERROR(base_->Sync());
    state_->synced_size = base_->Size();
    return Status::Ok();
  }

  Status Close() override {
    std::lock_guard lock(fs_->mu_);
    Status injected = fs_->CheckOp(FaultOp::kClose, path_);
    if (dead_) return injected.ok() ? Dead("close") : injected;
    if (closed_ && !injected.ok()) return injected;
    Status s = base_->Close();
    closed_ = true;
    return injected.ok() ? s : injected;
  }

  std::uint64_t Size() const override {
    std::lock_guard lock(fs_->mu_);
    return base_->Size();
  }

  // The power went out: close the wrapped file and fail from now on. Requires fs_->mu_.
  void Kill() {
    if (!closed_) (void)base_->Close();
    closed_ = true;
    dead_ = true;
  }

 private:
  Status Dead(std::string_view op) const {
    return Status::IoError(std::string(op) + " " + path_ + ": file lost in simulated power cut");
  }

  FaultFileSystem* const fs_;
  // All below guarded by fs_->mu_.
  std::unique_ptr<WritableFile> base_;
  const std::string path_;
  std::shared_ptr<FaultFileSystem::FileState> state_;
  bool closed_ = false;
  bool dead_ = false;
};

class FaultReadableFile final : public ReadableFile {
 public:
  FaultReadableFile(FaultFileSystem* fs, std::unique_ptr<ReadableFile> base, std::string path)
      : fs_(fs), base_(std::move(base)), path_(std::move(path)) {}

  Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) override {
    std::lock_guard lock(fs_->mu_);
    KLIO_RETURN_IF_ERROR(fs_->CheckOp(FaultOp::kReadAt, path_));
    return base_->ReadAt(offset, out);
  }
  Result<std::uint64_t> Size() override {
    std::lock_guard lock(fs_->mu_);
    KLIO_RETURN_IF_ERROR(fs_->CheckOp(FaultOp::kReadSize, path_));
    return base_->Size();
  }

 private:
  FaultFileSystem* const fs_;
  std::unique_ptr<ReadableFile> base_;
  const std::string path_;
};

FaultFileSystem::FaultFileSystem(FileSystem& base) : base_(base) {}

FaultFileSystem::~FaultFileSystem() = default;

void FaultFileSystem::FailNthOp(std::uint64_t n, Status status) {
  std::lock_guard lock(mu_);
  nth_countdown_ = std::max<std::uint64_t>(n, 1);
  nth_sticky_ = false;
  failing_all_ = false;
  nth_status_ = status.ok() ? InjectedFault() : std::move(status);
}

void FaultFileSystem::FailFromNthOp(std::uint64_t n, Status status) {
  std::lock_guard lock(mu_);
  nth_countdown_ = std::max<std::uint64_t>(n, 1);
  nth_sticky_ = true;
  failing_all_ = false;
  nth_status_ = status.ok() ? InjectedFault() : std::move(status);
}

void FaultFileSystem::AddRule(FaultRule rule) {
  std::lock_guard lock(mu_);
  if (rule.status.ok()) rule.status = InjectedFault();
  rules_.push_back(std::move(rule));
}

void FaultFileSystem::ClearFaults() {
  std::lock_guard lock(mu_);
  nth_countdown_ = 0;
  nth_sticky_ = false;
  failing_all_ = false;
  rules_.clear();
}

std::uint64_t FaultFileSystem::op_count() const {
  std::lock_guard lock(mu_);
  return ops_;
}

std::uint64_t FaultFileSystem::op_count(FaultOp op) const {
  std::lock_guard lock(mu_);
  return ops_by_kind_[static_cast<std::size_t>(op)];
}

std::uint64_t FaultFileSystem::injected_count() const {
  std::lock_guard lock(mu_);
  return injected_;
}

void FaultFileSystem::ResetCounters() {
  std::lock_guard lock(mu_);
  ops_ = 0;
  ops_by_kind_.fill(0);
  injected_ = 0;
}

Status FaultFileSystem::CheckOp(FaultOp op, const std::string& path, const std::string& path2) {
  ++ops_;
  ++ops_by_kind_[static_cast<std::size_t>(op)];
  if (failing_all_) {
    ++injected_;
    return nth_status_;
  }
  if (nth_countdown_ > 0 && --nth_countdown_ == 0) {
    failing_all_ = nth_sticky_;
    ++injected_;
    return nth_status_;
  }
  for (const FaultRule& rule : rules_) {
    if (rule.op.has_value() && *rule.op != op) continue;
    if (!rule.path_prefix.empty() && !path.starts_with(rule.path_prefix) &&
        (path2.empty() || !path2.starts_with(rule.path_prefix))) {
      continue;
    }
    ++injected_;
    return rule.status;
  }
  return Status::Ok();
}

std::shared_ptr<FaultFileSystem::FileState> FaultFileSystem::StateFor(const std::string& path) {
  if (auto it = files_.find(path); it != files_.end()) return it->second;
  Result<std::uint64_t> size = base_.FileSize(path);
  if (!size.ok()) return nullptr;
  auto state = std::make_shared<FileState>();
  state->synced_size = *size;
  files_[path] = state;
  return state;
}

std::optional<std::string> FaultFileSystem::SyncedContent(const std::string& path) {
  std::shared_ptr<FileState> state = StateFor(path);
  if (state == nullptr) return std::nullopt;
  Result<std::string> content = base_.ReadFile(path);
  if (!content.ok()) return std::nullopt;
  if (content->size() > state->synced_size) content->resize(state->synced_size);
  return std::move(content).value();
}

Result<std::unique_ptr<WritableFile>> FaultFileSystem::NewWritableFile(const std::string& path,
                                                                       OpenMode mode) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kNewWritableFile, p));
  const bool existed = base_.Exists(p).ok();
  std::shared_ptr<FileState> state = existed ? StateFor(p) : nullptr;
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base_file, base_.NewWritableFile(p, mode));
  if (state == nullptr) {
    state = std::make_shared<FileState>();
    files_[p] = state;
  } else if (mode == OpenMode::kTruncate) {
    state->synced_size = 0;
  }
  if (!existed) pending_.push_back(PendingDirOp{PendingDirOp::Kind::kCreate, p});
  auto file = std::make_unique<FaultWritableFile>(this, std::move(base_file), p, state);
  open_files_.insert(file.get());
  return std::unique_ptr<WritableFile>(std::move(file));
}

Result<std::unique_ptr<ReadableFile>> FaultFileSystem::NewReadableFile(const std::string& path) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kNewReadableFile, p));
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> base_file, base_.NewReadableFile(p));
  return std::unique_ptr<ReadableFile>(
      std::make_unique<FaultReadableFile>(this, std::move(base_file), p));
}

Status FaultFileSystem::Exists(const std::string& path) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kExists, p));
  return base_.Exists(p);
}

Result<std::uint64_t> FaultFileSystem::FileSize(const std::string& path) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kFileSize, p));
  return base_.FileSize(p);
}

Result<std::vector<DirEntry>> FaultFileSystem::ListDir(const std::string& path) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kListDir, p));
  return base_.ListDir(p);
}

Status FaultFileSystem::CreateDirs(const std::string& path) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kCreateDirs, p));
  return base_.CreateDirs(p);
}

Status FaultFileSystem::RemoveFile(const std::string& path) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kRemoveFile, p));
  // Keep the durable bytes before the name goes, to bring the file back if the removal is
  // lost in a power cut.
  std::optional<std::string> saved = SyncedContent(p);
  KLIO_RETURN_IF_ERROR(base_.RemoveFile(p));
  files_.erase(p);
  pending_.push_back(PendingDirOp{PendingDirOp::Kind::kRemove, p, {}, std::move(saved)});
  return Status::Ok();
}

Status FaultFileSystem::RemoveDir(const std::string& path) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kRemoveDir, p));
  return base_.RemoveDir(p);
}

Status FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  const std::string f = CleanPath(from);
  const std::string t = CleanPath(to);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kRename, f, t));
  if (f == t) return base_.Rename(f, t);
  if (base_.ListDir(f).ok()) {
    // Directories are not modelled: the rename is durable at once; tracked paths follow it.
    KLIO_RETURN_IF_ERROR(base_.Rename(f, t));
    RekeyTree(f, t);
    return Status::Ok();
  }
  std::shared_ptr<FileState> state = StateFor(f);
  std::optional<std::string> replaced;
  if (base_.Exists(t).ok()) replaced = SyncedContent(t);
  KLIO_RETURN_IF_ERROR(base_.Rename(f, t));
  files_.erase(f);
  files_.erase(t);
  if (state != nullptr) files_[t] = state;
  pending_.push_back(PendingDirOp{PendingDirOp::Kind::kRename, f, t, std::move(replaced)});
  return Status::Ok();
}

Status FaultFileSystem::Truncate(const std::string& path, std::uint64_t size) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kTruncate, p));
  std::shared_ptr<FileState> state = StateFor(p);
  KLIO_RETURN_IF_ERROR(base_.Truncate(p, size));
  if (state != nullptr) state->synced_size = std::min(state->synced_size, size);
  return Status::Ok();
}

Status FaultFileSystem::SyncDir(const std::string& path) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kSyncDir, p));
  KLIO_RETURN_IF_ERROR(base_.SyncDir(p));
  for (PendingDirOp& op : pending_) {
    if (ParentDir(op.path) == p) op.path_dir_synced = true;
    if (op.kind == PendingDirOp::Kind::kRename && ParentDir(op.to) == p) op.to_dir_synced = true;
  }
  std::erase_if(pending_, [](const PendingDirOp& op) {
    return op.path_dir_synced && (op.kind != PendingDirOp::Kind::kRename || op.to_dir_synced);
  });
  return Status::Ok();
}

Status FaultFileSystem::SetPermissions(const std::string& path, unsigned mode) {
  const std::string p = CleanPath(path);
  std::lock_guard lock(mu_);
  KLIO_RETURN_IF_ERROR(CheckOp(FaultOp::kSetPermissions, p));
  return base_.SetPermissions(p, mode);
}

Status FaultFileSystem::SimulatePowerCut() {
  std::lock_guard lock(mu_);
  for (FaultWritableFile* file : open_files_) file->Kill();
  Status first;
  auto note = [&first](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) note(Undo(*it));
  pending_.clear();
  for (auto it = files_.begin(); it != files_.end();) {
    Result<std::uint64_t> size = base_.FileSize(it->first);
    if (!size.ok()) {
      it = files_.erase(it);  // gone from the wrapped file system: nothing left to cut
      continue;
    }
    if (*size > it->second->synced_size) note(base_.Truncate(it->first, it->second->synced_size));
    ++it;
  }
  return first.WithContext("simulated power cut");
}

Status FaultFileSystem::Undo(const PendingDirOp& op) {
  switch (op.kind) {
    case PendingDirOp::Kind::kCreate: {
      files_.erase(op.path);
      Status s = base_.RemoveFile(op.path);
      return s.IsNotFound() ? Status::Ok() : s;
    }
    case PendingDirOp::Kind::kRemove:
      if (!op.saved.has_value()) return Status::Ok();
      return RestoreFile(op.path, *op.saved);
    case PendingDirOp::Kind::kRename: {
      Status s = base_.Rename(op.to, op.path);
      if (s.ok()) {
        auto it = files_.find(op.to);
        if (it != files_.end()) {
          files_[op.path] = it->second;
          files_.erase(op.to);
        }
      }
      if (op.saved.has_value()) {
        Status restored = RestoreFile(op.to, *op.saved);
        if (s.ok()) s = restored;
      }
      return s;
    }
  }
  return Status::Ok();
}

Status FaultFileSystem::RestoreFile(const std::string& path, const std::string& content) {
  (void)base_.CreateDirs(ParentDir(path));  // the directory may have been removed since
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                        base_.NewWritableFile(path, OpenMode::kTruncate));
  KLIO_RETURN_IF_ERROR(file->Append(content));
  KLIO_RETURN_IF_ERROR(file->Close());
  auto state = std::make_shared<FileState>();
  state->synced_size = content.size();
  files_[path] = state;
  return Status::Ok();
}

void FaultFileSystem::RekeyTree(const std::string& from, const std::string& to) {
  auto rekey = [&](const std::string& path) {
    return PathIsUnder(path, from) ? to + path.substr(from.size()) : path;
  };
  std::map<std::string, std::shared_ptr<FileState>> moved;
  for (auto& [path, state] : files_) moved[rekey(path)] = std::move(state);
  files_ = std::move(moved);
  for (PendingDirOp& op : pending_) {
    op.path = rekey(op.path);
    if (op.kind == PendingDirOp::Kind::kRename) op.to = rekey(op.to);
  }
}

}  // namespace klio::env
