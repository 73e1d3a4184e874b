// The disk, behind an interface: the configuration and content are read, and
// the bundle cache and the status file written, through a FileStore so that
// they are tested on an in-memory fake, and run on POSIX
// (kiosk/platform/fs/posix_file_store.h) with real fsyncs.
//
// Durability contract every implementation keeps (what makes the bundle cache
// survive a power cut):
//   - WriteFileAtomic: readers see the old content or the new, never a mix,
//     and once it returns Ok the new content survives a power cut.
//   - MakeDirs, RenameDir, RemoveTree: once they return Ok, the change to the
//     directory tree survives a power cut.
// Paths are absolute or relative to the process's working directory.
//
// Threading: an instance may be used from several threads at once if the
// threads touch different files (the POSIX store has no shared state; the
// in-memory store locks).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/status.h"

namespace kiosk {

struct DirEntry {
  std::string name;  // no directory part
  bool is_directory = false;
};

class FileStore {
 public:
  virtual ~FileStore() = default;

  // The whole file. NotFound if it does not exist; Io otherwise.
  virtual Result<std::string> ReadFile(const std::filesystem::path& path) = 0;
  // Replaces (or creates) path: temp file in the same directory, write,
  // fsync, rename over path, fsync the directory. The directory must exist.
  virtual Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data) = 0;
  // mkdir -p; each directory created is made durable (its parent fsync'd).
  virtual Status MakeDirs(const std::filesystem::path& path) = 0;
  // The entries of a directory, sorted by name, without "." and "..".
  // NotFound if it does not exist.
  virtual Result<std::vector<DirEntry>> List(const std::filesystem::path& dir) = 0;
  // rm -rf; Ok if path does not exist.
  virtual Status RemoveTree(const std::filesystem::path& path) = 0;
  // Renames a directory; `to` must not exist. Both parents are fsync'd.
  virtual Status RenameDir(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // True if something (file or directory) exists at path.
  virtual bool Exists(const std::filesystem::path& path) = 0;
};

// Lists every regular file under dir, recursively, as '/'-separated paths
// relative to dir, sorted. Directories themselves are not listed.
Result<std::vector<std::string>> ListFilesRecursive(FileStore& store,
                                                    const std::filesystem::path& dir);

// A FileStore in memory, for tests. Paths are compared after
// lexically_normal(). Parent directories must exist, as on a real disk.
// FailWritesAfter(n) makes every mutating call after the next n fail with
// Status::Io, and FailWritesUnder(dir) every mutating call on a path under
// dir, to test how callers survive a full or failing disk; FailReadsUnder(dir)
// makes ReadFile of an existing file under dir fail with Status::Io (a file
// without read permission, a bad sector).
class MemoryFileStore final : public FileStore {
 public:
  Result<std::string> ReadFile(const std::filesystem::path& path) override;
  Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data) override;
  Status MakeDirs(const std::filesystem::path& path) override;
  Result<std::vector<DirEntry>> List(const std::filesystem::path& dir) override;
  Status RemoveTree(const std::filesystem::path& path) override;
  Status RenameDir(const std::filesystem::path& from, const std::filesystem::path& to) override;
  bool Exists(const std::filesystem::path& path) override;

  // -1 (the default) = never fail.
  void FailWritesAfter(int successful_writes);
  // Empty path = none.
  void FailWritesUnder(const std::filesystem::path& dir);
  // Empty path = none.
  void FailReadsUnder(const std::filesystem::path& dir);

 private:
  static std::string Key(const std::filesystem::path& path);
  static bool Under(const std::string& key, const std::string& dir);
  bool ConsumeWrite(const std::string& key);  // false when this write must fail
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  std::set<std::string> dirs_ = {"/", ".", ""};
  int writes_left_ = -1;
  std::string failing_dir_;
  std::string unreadable_dir_;
};

}  // namespace kiosk
