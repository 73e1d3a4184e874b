// kiosk::FileStore on POSIX file systems, written the way leveldb's env_posix
// writes its MANIFEST: descriptors opened with O_CLOEXEC (the player starts
// helper processes, which must not inherit them), data fsync'd before the
// rename that publishes it, and the directory fsync'd after any change to its
// entries, because on ext4/f2fs a rename is only durable once its directory
// is. Every call retries on EINTR.
//
// Stateless: one instance may be shared by any number of threads.
#pragma once

#include "kiosk/core/file_store.h"

namespace kiosk {

class PosixFileStore final : public FileStore {
 public:
  Result<std::string> ReadFile(const std::filesystem::path& path) override;
  Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data) override;
  Status MakeDirs(const std::filesystem::path& path) override;
  Result<std::vector<DirEntry>> List(const std::filesystem::path& dir) override;
  Status RemoveTree(const std::filesystem::path& path) override;
  Status RenameDir(const std::filesystem::path& from, const std::filesystem::path& to) override;
  bool Exists(const std::filesystem::path& path) override;
};

}  // namespace kiosk
