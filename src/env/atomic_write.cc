#include "env/atomic_write.h"

#include <memory>
#include <utility>

#include "env/random.h"

namespace klio::env {

namespace {

constexpr std::string_view kTempMarker = ".tmp-";
constexpr int kMaxNameAttempts = 4;

std::string TempName(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t r = DefaultRandom().Next64();
  std::string out = ".";
  out += name;
  out += kTempMarker;
  for (int i = 0; i < 16; ++i) {
    out += kHex[r & 0xf];
    r >>= 4;
  }
  return out;
}

// Steps 2-5 on an open temp file.
Status FillTemp(FileSystem& fs, WritableFile& file, const std::string& temp,
                std::span<const std::uint8_t> data, const AtomicWriteOptions& options) {
  KLIO_RETURN_IF_ERROR(fs.SetPermissions(temp, options.permissions));
  KLIO_RETURN_IF_ERROR(file.Append(data));
  if (options.sync) KLIO_RETURN_IF_ERROR(file.Sync());
  return file.Close();
}

}  // namespace

Status WriteFileAtomically(FileSystem& fs, const std::string& path,
                           std::span<const std::uint8_t> data, const AtomicWriteOptions& options) {
  const std::string context = "atomic write " + path;
  const std::string name = BaseName(path);
  if (name.empty() || name == "/" || name == "." || name == "..") {
    return Status::InvalidArgument(context + ": not a file name");
  }
  const std::string dir = ParentDir(path);

  std::string temp;
  std::unique_ptr<WritableFile> file;
  for (int attempt = 1;; ++attempt) {
    temp = JoinPath(dir, TempName(name));
    Result<std::unique_ptr<WritableFile>> opened = fs.NewWritableFile(temp, OpenMode::kExclusive);
    if (opened.ok()) {
      file = std::move(opened).value();
      break;
    }
    // A name collision is astronomically unlikely but harmless: pick another name.
    if (opened.status().code() != StatusCode::kAlreadyExists || attempt == kMaxNameAttempts) {
      return opened.status().WithContext(context);
    }
  }

  if (Status s = FillTemp(fs, *file, temp, data, options); !s.ok()) {
    file.reset();  // closes the descriptor if Close() was not reached
    (void)fs.RemoveFile(temp);
    return s.WithContext(context);
  }
  file.reset();
  if (Status s = fs.Rename(temp, path); !s.ok()) {
    (void)fs.RemoveFile(temp);
    return s.WithContext(context);
  }
  if (options.sync) {
    if (Status s = fs.SyncDir(dir); !s.ok()) {
      return s.WithContext(context + ": renamed but directory not synced");
    }
  }
  return Status::Ok();
}

Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view data,
                           const AtomicWriteOptions& options) {
  return WriteFileAtomically(
      fs, path, std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()),
      options);
}

bool IsAtomicWriteTempName(std::string_view name) {
  if (name.size() < 1 + kTempMarker.size() + 16 || name.front() != '.') return false;
  const std::size_t pos = name.size() - 16 - kTempMarker.size();
  if (name.substr(pos, kTempMarker.size()) != kTempMarker) return false;
  for (char c : name.substr(name.size() - 16)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace klio::env
