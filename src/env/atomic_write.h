// WriteFileAtomically: replace a whole file so that readers and crashes see either the old
// content or the new content, never a mix (the house rule "durable and safe by default").
//
// Sequence (each step through the given FileSystem, so FaultFileSystem can fail any of them):
//   1. NewWritableFile("<dir>/.<name>.tmp-<16 hex>", kExclusive)
//   2. SetPermissions(temp, options.permissions)
//   3. Append(data)            4. Sync()  (skipped when !options.sync)
//   5. Close()                 6. Rename(temp, path)
//   7. SyncDir(<dir>)           (skipped when !options.sync)
// Permissions are set right after creating the temp file and before any data is written (the
// brief listed them after Close): a 0600 key file is never readable by others, not even for a
// moment.
//
// Thread-safety: safe to call concurrently for different paths. Two concurrent writers of the
// same path both succeed; the last rename wins.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "env/file_system.h"

namespace klio::env {

struct AtomicWriteOptions {
  // Permission bits of the new file. Default 0644; use 0600 for secrets.
  unsigned permissions = 0644;
  // Default true: fsync the data and the directory, so the new content survives a crash once
  // the call returns OK. false keeps the write atomic but not durable: a crash may bring the
  // old content back (never a torn file on journaling file systems). Call sites that opt out
  // spell it out: AtomicWriteOptions{.sync = false}.
  bool sync = true;
};

// Replaces `path` with `data`. Blocking; fsyncs twice unless options.sync is false.
// On success `path` holds exactly `data`.
// On failure before the rename, the temp file is removed (best effort) and `path` is untouched.
// When only the final SyncDir fails, `path` already holds the new content but it may not
// survive a crash; the error is returned (message says "renamed but directory not synced").
// Errors carry the context "atomic write <path>".
Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view data,
                           const AtomicWriteOptions& options = {});
Status WriteFileAtomically(FileSystem& fs, const std::string& path,
                           std::span<const std::uint8_t> data,
                           const AtomicWriteOptions& options = {});

// True when `name` (a base name, not a path) is a temp file left by WriteFileAtomically,
// e.g. by a crash; directory scanners skip such names and cleaners may remove them.
bool IsAtomicWriteTempName(std::string_view name);

}  // namespace klio::env
