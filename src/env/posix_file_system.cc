#include "env/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace klio::env {

namespace {

constexpr std::size_t kWriteBufferBytes = std::size_t{64} * 1024;
constexpr mode_t kFileMode = 0644;
constexpr mode_t kDirMode = 0755;

// Repeats `call` while it fails with EINTR. Only used for calls that are safe to repeat.
template <typename F>
auto RetryOnEintr(F call) {
  while (true) {
    auto r = call();
    if (r == -1 && errno == EINTR) continue;
    return r;
  }
}

Status ErrnoStatus(std::string_view op, const std::string& path) {
  const int err = errno;
  std::string context(op);
  context += ' ';
  context += path;
  return Status::FromErrno(err, context);
}

Status ClosedStatus(std::string_view op, const std::string& path) {
  return Status::FailedPrecondition(std::string(op) + " " + path + ": file is closed");
}

// Writes all of [data, data + n), continuing after short writes.
Status WriteAll(int fd, const std::uint8_t* data, std::size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = RetryOnEintr([&] { return ::write(fd, data, n); });
    if (w < 0) return ErrnoStatus("write", path);
    if (w == 0) return Status::IoError("write " + path + ": no progress");
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return Status::Ok();
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, std::uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)Close();
  }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status Append(std::span<const std::uint8_t> data) override {
    if (fd_ < 0) return ClosedStatus("append", path_);
    if (buffer_.size() + data.size() <= kWriteBufferBytes) {
      if (buffer_.capacity() == 0) buffer_.reserve(kWriteBufferBytes);
      buffer_.insert(buffer_.end(), data.begin(), data.end());
      size_ += data.size();
      return Status::Ok();
    }
    KLIO_RETURN_IF_ERROR(Flush());
    if (data.size() >= kWriteBufferBytes) {
      // Large appends bypass the buffer: one copy fewer.
      KLIO_RETURN_IF_ERROR(WriteAll(fd_, data.data(), data.size(), path_));
    } else {
      buffer_.insert(buffer_.end(), data.begin(), data.end());
    }
    size_ += data.size();
    return Status::Ok();
  }

  Status Sync() override {
    if (fd_ < 0) return ClosedStatus("sync", path_);
    KLIO_RETURN_IF_ERROR(Flush());
    if (RetryOnEintr([&] { return ::fdatasync(fd_); }) != 0) {
      return ErrnoStatus("fdatasync", path_);
    }
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return ClosedStatus("close", path_);
    Status flushed = Flush();
    // close(2) is not retried: on Linux the descriptor is released even when it fails.
    const int rc = ::close(fd_);
    fd_ = -1;
    if (!flushed.ok()) return flushed;
    if (rc != 0) return ErrnoStatus("close", path_);
    return Status::Ok();
  }

  std::uint64_t Size() const override { return size_; }

 private:
  // On failure the buffered bytes are dropped; the file's tail is then unspecified.
  Status Flush() {
    if (buffer_.empty()) return Status::Ok();
    Status s = WriteAll(fd_, buffer_.data(), buffer_.size(), path_);
    buffer_.clear();
    return s;
  }

  int fd_;
  std::string path_;
  std::uint64_t size_;
  std::vector<std::uint8_t> buffer_;
};

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixReadableFile() override { ::close(fd_); }
  PosixReadableFile(const PosixReadableFile&) = delete;
  PosixReadableFile& operator=(const PosixReadableFile&) = delete;

  Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) override {
    std::size_t done = 0;
    // pread may return fewer bytes than asked before end of file; keep going until EOF.
    while (done < out.size()) {
      const ssize_t r = RetryOnEintr([&] {
        return ::pread(fd_, out.data() + done, out.size() - done,
                       static_cast<off_t>(offset + done));
      });
      if (r < 0) return ErrnoStatus("read", path_);
      if (r == 0) break;
      done += static_cast<std::size_t>(r);
    }
    return done;
  }

  Result<std::uint64_t> Size() override {
    struct stat st;
    if (RetryOnEintr([&] { return ::fstat(fd_, &st); }) != 0) return ErrnoStatus("stat", path_);
    return static_cast<std::uint64_t>(st.st_size);
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<WritableFile>> PosixFileSystem::NewWritableFile(const std::string& path,
                                                                       OpenMode mode) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
  switch (mode) {
    case OpenMode::kTruncate: flags |= O_TRUNC; break;
    case OpenMode::kAppend: flags |= O_APPEND; break;
    case OpenMode::kExclusive: flags |= O_EXCL; break;
  }
  const int fd = RetryOnEintr([&] { return ::open(path.c_str(), flags, kFileMode); });
  if (fd < 0) return ErrnoStatus("open", path);
  std::uint64_t size = 0;
  if (mode == OpenMode::kAppend) {
    struct stat st;
    if (RetryOnEintr([&] { return ::fstat(fd, &st); }) != 0) {
      Status s = ErrnoStatus("stat", path);
      ::close(fd);
      return s;
    }
    size = static_cast<std::uint64_t>(st.st_size);
  }
  return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(fd, path, size));
}

Result<std::unique_ptr<ReadableFile>> PosixFileSystem::NewReadableFile(const std::string& path) {
  const int fd = RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
  if (fd < 0) return ErrnoStatus("open", path);
  struct stat st;
  const bool stat_ok = RetryOnEintr([&] { return ::fstat(fd, &st); }) == 0;
  if (!stat_ok || S_ISDIR(st.st_mode)) {
    if (stat_ok) errno = EISDIR;
    Status s = ErrnoStatus("open", path);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<ReadableFile>(std::make_unique<PosixReadableFile>(fd, path));
}

Status PosixFileSystem::Exists(const std::string& path) {
  struct stat st;
  if (RetryOnEintr([&] { return ::stat(path.c_str(), &st); }) != 0) {
    return ErrnoStatus("stat", path);
  }
  return Status::Ok();
}

Result<std::uint64_t> PosixFileSystem::FileSize(const std::string& path) {
  struct stat st;
  if (RetryOnEintr([&] { return ::stat(path.c_str(), &st); }) != 0) {
    return ErrnoStatus("stat", path);
  }
  if (S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    return ErrnoStatus("stat", path);
  }
  return static_cast<std::uint64_t>(st.st_size);
}

Result<std::vector<DirEntry>> PosixFileSystem::ListDir(const std::string& path) {
  const int fd =
      RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) return ErrnoStatus("list dir", path);
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    Status s = ErrnoStatus("list dir", path);
    ::close(fd);
    return s;
  }
  std::vector<DirEntry> entries;
  while (true) {
    errno = 0;
    const dirent* ent = ::readdir(dir);
    if (ent == nullptr) {
      if (errno != 0) {
        Status s = ErrnoStatus("list dir", path);
        ::closedir(dir);
        return s;
      }
      break;
    }
    const std::string_view name = ent->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = ent->d_type == DT_DIR;
    if (ent->d_type == DT_UNKNOWN || ent->d_type == DT_LNK) {
      // Some file systems do not fill d_type; symlinks are reported as what they point to.
      struct stat st;
      is_dir = ::fstatat(fd, ent->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
    }
    entries.push_back(DirEntry{std::string(name), is_dir});
  }
  ::closedir(dir);
  std::sort(entries.begin(), entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return entries;
}

Status PosixFileSystem::CreateDirs(const std::string& path) {
  // Walk the components from the top so every missing parent is created.
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (prefix.empty() || prefix.back() == '/') continue;
    if (::mkdir(prefix.c_str(), kDirMode) == 0) continue;
    if (errno != EEXIST) return ErrnoStatus("create dir", prefix);
    struct stat st;
    if (RetryOnEintr([&] { return ::stat(prefix.c_str(), &st); }) != 0) {
      return ErrnoStatus("create dir", prefix);
    }
    if (!S_ISDIR(st.st_mode)) {
      errno = EEXIST;
      return ErrnoStatus("create dir", prefix);
    }
  }
  return Status::Ok();
}

Status PosixFileSystem::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return ErrnoStatus("remove", path);
  return Status::Ok();
}

Status PosixFileSystem::RemoveDir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return ErrnoStatus("remove dir", path);
  return Status::Ok();
}

Status PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", from + " to " + to);
  return Status::Ok();
}

Status PosixFileSystem::Truncate(const std::string& path, std::uint64_t size) {
  if (RetryOnEintr([&] { return ::truncate(path.c_str(), static_cast<off_t>(size)); }) != 0) {
    return ErrnoStatus("truncate", path);
  }
  return Status::Ok();
}

Status PosixFileSystem::SyncDir(const std::string& path) {
  const int fd =
      RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) return ErrnoStatus("open dir", path);
  Status s;
  if (RetryOnEintr([&] { return ::fsync(fd); }) != 0) s = ErrnoStatus("fsync dir", path);
  ::close(fd);
  return s;
}

Status PosixFileSystem::SetPermissions(const std::string& path, unsigned mode) {
  if (RetryOnEintr([&] { return ::chmod(path.c_str(), static_cast<mode_t>(mode)); }) != 0) {
    return ErrnoStatus("chmod", path);
  }
  return Status::Ok();
}

FileSystem& DefaultFileSystem() {
  // Leaked on purpose: usable from static destructors and other threads at exit.
  static FileSystem* const fs = new PosixFileSystem();
  return *fs;
}

}  // namespace klio::env
