#include "kiosk/platform/fs/posix_file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace kiosk {
namespace {

std::string ErrnoText(const std::filesystem::path& path, const char* what, int err) {
  return path.string() + ": " + what + ": " + std::strerror(err);
}

Status IoError(const std::filesystem::path& path, const char* what, int err) {
  if (err == ENOENT) return Status::NotFound(ErrnoText(path, what, err));
  return Status::Io(ErrnoText(path, what, err));
}

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // close(2) can report a deferred write error (NFS, some FUSE), so callers
  // that wrote data check it. Never retried on EINTR: on Linux the
  // descriptor is closed anyway and a retry could close another thread's.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

int OpenRetrying(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

int FsyncRetrying(int fd) {
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

Status SyncDir(const std::filesystem::path& dir) {
  const std::filesystem::path d = dir.empty() ? std::filesystem::path(".") : dir;
  Fd fd(OpenRetrying(d.c_str(), O_RDONLY | O_DIRECTORY));
  if (fd.get() < 0) return IoError(d, "open directory for fsync", errno);
  if (FsyncRetrying(fd.get()) != 0) return IoError(d, "fsync directory", errno);
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path, "write", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// A name unique among this process's concurrent writers and across processes
// sharing the directory.
std::string TempName(const std::filesystem::path& target) {
  static std::atomic<uint64_t> counter{0};
  return target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1));
}

Status RemoveTreeAt(const std::filesystem::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError(path, "lstat", errno);
  }
  if (S_ISDIR(st.st_mode)) {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return IoError(path, "opendir", errno);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    for (const auto& name : names) {
      Status s = RemoveTreeAt(path / name);
      if (!s.ok()) return s;
    }
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return IoError(path, "rmdir", errno);
  } else if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return IoError(path, "unlink", errno);
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> PosixFileStore::ReadFile(const std::filesystem::path& path) {
  Fd fd(OpenRetrying(path.c_str(), O_RDONLY));
  if (fd.get() < 0) return IoError(path, "open", errno);
  std::string out;
  // Size the string once (bundle files are megabytes); the loop still reads
  // until EOF in case the file changes size meanwhile.
  struct stat st;
  if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path, "read", errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status PosixFileStore::WriteFileAtomic(const std::filesystem::path& path, std::string_view data) {
  const std::filesystem::path dir = path.parent_path();
  const std::filesystem::path temp = dir / TempName(path);
  Fd fd(OpenRetrying(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0644));
  if (fd.get() < 0) return IoError(temp, "create", errno);
  Status s = WriteAll(fd.get(), data, temp);
  // The data must be on disk before the rename publishes it; otherwise a
  // power cut can leave the new name pointing at an empty file.
  if (s.ok() && FsyncRetrying(fd.get()) != 0) s = IoError(temp, "fsync", errno);
  if (fd.Close() != 0 && s.ok()) s = IoError(temp, "close", errno);
  if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0) s = IoError(path, "rename", errno);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return SyncDir(dir);
}

Status PosixFileStore::MakeDirs(const std::filesystem::path& path) {
  std::filesystem::path partial;
  for (const auto& part : path.lexically_normal()) {
    if (part.empty()) continue;  // trailing separator
    partial /= part;
    if (::mkdir(partial.c_str(), 0755) == 0) {
      Status s = SyncDir(partial.parent_path());
      if (!s.ok()) return s;
      continue;
    }
    if (errno != EEXIST) return IoError(partial, "mkdir", errno);
    struct stat st;
    if (::stat(partial.c_str(), &st) != 0) return IoError(partial, "stat", errno);
    if (!S_ISDIR(st.st_mode))
      return Status::Io(partial.string() + ": exists and is not a directory");
  }
  return Status::Ok();
}

Result<std::vector<DirEntry>> PosixFileStore::List(const std::filesystem::path& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return IoError(dir, "opendir", errno);
  std::vector<DirEntry> out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    // d_type is DT_UNKNOWN on some file systems; lstat then. Symlinks are
    // listed as files, never followed into.
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = ::lstat((dir / name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    out.push_back({std::move(name), is_dir});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Status PosixFileStore::RemoveTree(const std::filesystem::path& path) {
  Status s = RemoveTreeAt(path);
  if (!s.ok()) return s;
  return SyncDir(path.parent_path());
}

Status PosixFileStore::RenameDir(const std::filesystem::path& from,
                                 const std::filesystem::path& to) {
  // rename(2) would silently replace an empty directory at `to`; the
  // contract is that `to` must not exist.
  struct stat st;
  if (::lstat(to.c_str(), &st) == 0) return Status::Io(to.string() + ": already exists");
  if (::rename(from.c_str(), to.c_str()) != 0) return IoError(from, "rename", errno);
  Status s = SyncDir(to.parent_path());
  if (s.ok() && from.parent_path() != to.parent_path()) s = SyncDir(from.parent_path());
  return s;
}

bool PosixFileStore::Exists(const std::filesystem::path& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace kiosk
