#include "env/mem_file_system.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "env/path_util.h"

namespace klio::env {

struct MemFileSystem::Inode {
  std::mutex mu;
  std::string data;  // guarded by mu
};

namespace {

constexpr unsigned kFileMode = 0644;
constexpr unsigned kDirMode = 0755;

Status Errno(int err, std::string_view op, const std::string& path) {
  std::string context(op);
  context += ' ';
  context += path;
  return Status::FromErrno(err, context);
}

std::string Key(const std::string& path) { return CleanPath(JoinPath("/", path)); }

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::shared_ptr<MemFileSystem::Inode> inode, std::string path)
      : inode_(std::move(inode)), path_(std::move(path)) {}

  Status Append(std::span<const std::uint8_t> data) override {
    if (inode_ == nullptr) return Closed("append");
    std::lock_guard lock(inode_->mu);
    inode_->data.append(reinterpret_cast<const char*>(data.data()), data.size());
    return Status::Ok();
  }
  Status Sync() override { return inode_ == nullptr ? Closed("sync") : Status::Ok(); }
  Status Close() override {
    if (inode_ == nullptr) return Closed("close");
    {
      std::lock_guard lock(inode_->mu);
      last_size_ = inode_->data.size();
    }
    inode_.reset();  // after unlocking: this may be the last reference to the mutex
    return Status::Ok();
  }
  std::uint64_t Size() const override {
    if (inode_ == nullptr) return last_size_;
    std::lock_guard lock(inode_->mu);
    return inode_->data.size();
  }

 private:
  Status Closed(std::string_view op) const {
    return Status::FailedPrecondition(std::string(op) + " " + path_ + ": file is closed");
  }

  std::shared_ptr<MemFileSystem::Inode> inode_;  // null once closed
  std::string path_;
  std::uint64_t last_size_ = 0;
};

class MemReadableFile final : public ReadableFile {
 public:
  explicit MemReadableFile(std::shared_ptr<MemFileSystem::Inode> inode)
      : inode_(std::move(inode)) {}

  Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) override {
    std::lock_guard lock(inode_->mu);
    if (offset >= inode_->data.size()) return std::size_t{0};
    const std::size_t n = std::min<std::uint64_t>(out.size(), inode_->data.size() - offset);
    std::memcpy(out.data(), inode_->data.data() + offset, n);
    return n;
  }
  Result<std::uint64_t> Size() override {
    std::lock_guard lock(inode_->mu);
    return static_cast<std::uint64_t>(inode_->data.size());
  }

 private:
  std::shared_ptr<MemFileSystem::Inode> inode_;
};

}  // namespace

MemFileSystem::MemFileSystem() { nodes_["/"] = Node{true, kDirMode, nullptr}; }

MemFileSystem::~MemFileSystem() = default;

MemFileSystem::Node* MemFileSystem::Find(const std::string& key) {
  auto it = nodes_.find(key);
  return it == nodes_.end() ? nullptr : &it->second;
}

int MemFileSystem::ParentErrno(const std::string& key) {
  const Node* parent = Find(ParentDir(key));
  if (parent == nullptr) return ENOENT;
  if (!parent->is_dir) return ENOTDIR;
  return 0;
}

std::pair<MemFileSystem::NodeMap::iterator, MemFileSystem::NodeMap::iterator>
MemFileSystem::Descendants(const std::string& key) {
  if (key == "/") {
    auto first = nodes_.upper_bound("/");
    return {first, nodes_.end()};
  }
  // Every key below "/a" starts with "/a/"; '0' is the character after '/'.
  return {nodes_.lower_bound(key + "/"), nodes_.lower_bound(key + "0")};
}

Result<std::unique_ptr<WritableFile>> MemFileSystem::NewWritableFile(const std::string& path,
                                                                     OpenMode mode) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  if (Node* node = Find(key)) {
    if (node->is_dir) return Errno(EISDIR, "open", path);
    if (mode == OpenMode::kExclusive) return Errno(EEXIST, "open", path);
    if (mode == OpenMode::kTruncate) {
      std::lock_guard inode_lock(node->file->mu);
      node->file->data.clear();
    }
    return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(node->file, path));
  }
  if (int err = ParentErrno(key); err != 0) return Errno(err, "open", path);
  auto inode = std::make_shared<Inode>();
  nodes_[key] = Node{false, kFileMode, inode};
  return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(inode, path));
}

Result<std::unique_ptr<ReadableFile>> MemFileSystem::NewReadableFile(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  const Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "open", path);
  if (node->is_dir) return Errno(EISDIR, "open", path);
  return std::unique_ptr<ReadableFile>(std::make_unique<MemReadableFile>(node->file));
}

Status MemFileSystem::Exists(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  if (Find(key) == nullptr) return Errno(ENOENT, "stat", path);
  return Status::Ok();
}

Result<std::uint64_t> MemFileSystem::FileSize(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  const Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "stat", path);
  if (node->is_dir) return Errno(EISDIR, "stat", path);
  std::lock_guard inode_lock(node->file->mu);
  return static_cast<std::uint64_t>(node->file->data.size());
}

Result<std::vector<DirEntry>> MemFileSystem::ListDir(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  const Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "list dir", path);
  if (!node->is_dir) return Errno(ENOTDIR, "list dir", path);
  const std::size_t prefix_len = key == "/" ? 1 : key.size() + 1;
  std::vector<DirEntry> entries;
  auto [first, last] = Descendants(key);
  for (auto it = first; it != last; ++it) {
    const std::string_view name = std::string_view{it->first}.substr(prefix_len);
    if (name.find('/') != std::string_view::npos) continue;  // deeper than one level
    entries.push_back(DirEntry{std::string(name), it->second.is_dir});
  }
  return entries;  // std::map order is byte order, as ListDir promises
}

Status MemFileSystem::CreateDirs(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = key.find('/', pos + 1);
    const std::string prefix = key.substr(0, pos);
    if (const Node* node = Find(prefix)) {
      if (!node->is_dir) return Errno(EEXIST, "create dir", prefix);
      continue;
    }
    nodes_[prefix] = Node{true, kDirMode, nullptr};
  }
  return Status::Ok();
}

Status MemFileSystem::RemoveFile(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  const Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "remove", path);
  if (node->is_dir) return Errno(EISDIR, "remove", path);
  nodes_.erase(key);
  return Status::Ok();
}

Status MemFileSystem::RemoveDir(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  const Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "remove dir", path);
  if (!node->is_dir) return Errno(ENOTDIR, "remove dir", path);
  if (key == "/") return Errno(EBUSY, "remove dir", path);
  auto [first, last] = Descendants(key);
  if (first != last) return Errno(ENOTEMPTY, "remove dir", path);
  nodes_.erase(key);
  return Status::Ok();
}

Status MemFileSystem::Rename(const std::string& from, const std::string& to) {
  const std::string from_key = Key(from);
  const std::string to_key = Key(to);
  const std::string context = from + " to " + to;
  std::lock_guard lock(mu_);
  const Node* src = Find(from_key);
  if (src == nullptr) return Errno(ENOENT, "rename", context);
  if (int err = ParentErrno(to_key); err != 0) return Errno(err, "rename", context);
  if (from_key == to_key) return Status::Ok();
  if (PathIsUnder(to_key, from_key)) return Errno(EINVAL, "rename", context);
  if (const Node* dst = Find(to_key)) {
    if (src->is_dir && !dst->is_dir) return Errno(ENOTDIR, "rename", context);
    if (!src->is_dir && dst->is_dir) return Errno(EISDIR, "rename", context);
    if (dst->is_dir) {
      auto [first, last] = Descendants(to_key);
      if (first != last) return Errno(ENOTEMPTY, "rename", context);
    }
  }
  Node moved = *src;
  // Move the subtree of a directory: re-key every descendant under the new name.
  std::vector<std::pair<std::string, Node>> subtree;
  if (moved.is_dir) {
    auto [first, last] = Descendants(from_key);
    for (auto it = first; it != last; ++it) {
      subtree.emplace_back(to_key + it->first.substr(from_key.size()), std::move(it->second));
    }
    nodes_.erase(first, last);
  }
  nodes_.erase(from_key);
  nodes_[to_key] = std::move(moved);
  for (auto& [key, node] : subtree) nodes_[key] = std::move(node);
  return Status::Ok();
}

Status MemFileSystem::Truncate(const std::string& path, std::uint64_t size) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  const Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "truncate", path);
  if (node->is_dir) return Errno(EISDIR, "truncate", path);
  std::lock_guard inode_lock(node->file->mu);
  node->file->data.resize(size, '\0');
  return Status::Ok();
}

Status MemFileSystem::SyncDir(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  const Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "open dir", path);
  if (!node->is_dir) return Errno(ENOTDIR, "open dir", path);
  return Status::Ok();
}

Status MemFileSystem::SetPermissions(const std::string& path, unsigned mode) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "chmod", path);
  node->mode = mode & 07777;
  return Status::Ok();
}

Result<unsigned> MemFileSystem::Permissions(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard lock(mu_);
  const Node* node = Find(key);
  if (node == nullptr) return Errno(ENOENT, "stat", path);
  return node->mode;
}

}  // namespace klio::env
