#include "kiosk/core/file_store.h"

#include <algorithm>

namespace kiosk {
namespace {

Status ListInto(FileStore& store, const std::filesystem::path& dir, const std::string& prefix,
                std::vector<std::string>& out, int depth) {
  // A bundle is never deeper than this; a deeper tree means a symlink loop or
  // something that is not a bundle.
  if (depth > 16) return Status::Invalid(dir.string() + ": directory tree too deep");
  auto entries = store.List(dir);
  if (!entries.ok()) return entries.status();
  for (const auto& e : *entries) {
    if (e.is_directory) {
      Status s = ListInto(store, dir / e.name, prefix + e.name + "/", out, depth + 1);
      if (!s.ok()) return s;
    } else {
      out.push_back(prefix + e.name);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ListFilesRecursive(FileStore& store,
                                                    const std::filesystem::path& dir) {
  std::vector<std::string> out;
  Status s = ListInto(store, dir, "", out, 0);
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end());
  return out;
}

std::string MemoryFileStore::Key(const std::filesystem::path& path) {
  std::string key = path.lexically_normal().string();
  while (key.size() > 1 && key.back() == '/') key.pop_back();
  return key;
}

bool MemoryFileStore::Under(const std::string& key, const std::string& dir) {
  return !dir.empty() && (key == dir || key.compare(0, dir.size() + 1, dir + "/") == 0);
}

bool MemoryFileStore::ConsumeWrite(const std::string& key) {
  if (Under(key, failing_dir_)) return false;
  if (writes_left_ < 0) return true;
  if (writes_left_ == 0) return false;
  --writes_left_;
  return true;
}

void MemoryFileStore::FailWritesAfter(int successful_writes) {
  std::lock_guard lock(mu_);
  writes_left_ = successful_writes;
}

void MemoryFileStore::FailWritesUnder(const std::filesystem::path& dir) {
  std::lock_guard lock(mu_);
  failing_dir_ = dir.empty() ? std::string() : Key(dir);
}

void MemoryFileStore::FailReadsUnder(const std::filesystem::path& dir) {
  std::lock_guard lock(mu_);
  unreadable_dir_ = dir.empty() ? std::string() : Key(dir);
}

Result<std::string> MemoryFileStore::ReadFile(const std::filesystem::path& path) {
  std::lock_guard lock(mu_);
  const std::string key = Key(path);
  auto it = files_.find(key);
  if (it == files_.end()) return Status::NotFound(path.string() + ": no such file");
  if (Under(key, unreadable_dir_))
    return Status::Io(path.string() + ": read failed (injected fault)");
  return it->second;
}

Status MemoryFileStore::WriteFileAtomic(const std::filesystem::path& path, std::string_view data) {
  std::lock_guard lock(mu_);
  const std::string key = Key(path);
  if (!dirs_.count(Key(std::filesystem::path(key).parent_path()))) {
    return Status::Io(path.string() + ": parent directory does not exist");
  }
  if (dirs_.count(key)) return Status::Io(path.string() + ": is a directory");
  if (!ConsumeWrite(key)) return Status::Io(path.string() + ": write failed (injected fault)");
  files_[key] = std::string(data);
  return Status::Ok();
}

Status MemoryFileStore::MakeDirs(const std::filesystem::path& path) {
  std::lock_guard lock(mu_);
  std::filesystem::path partial;
  for (const auto& part : std::filesystem::path(Key(path))) {
    partial /= part;
    const std::string key = Key(partial);
    if (files_.count(key)) return Status::Io(key + ": exists and is not a directory");
    if (!dirs_.count(key)) {
      if (!ConsumeWrite(key)) return Status::Io(key + ": mkdir failed (injected fault)");
      dirs_.insert(key);
    }
  }
  return Status::Ok();
}

Result<std::vector<DirEntry>> MemoryFileStore::List(const std::filesystem::path& dir) {
  std::lock_guard lock(mu_);
  const std::string key = Key(dir);
  if (!dirs_.count(key)) return Status::NotFound(dir.string() + ": no such directory");
  std::vector<DirEntry> out;
  for (const auto& [name, data] : files_) {
    if (Key(std::filesystem::path(name).parent_path()) == key && name != key) {
      out.push_back({std::filesystem::path(name).filename().string(), false});
    }
  }
  for (const auto& name : dirs_) {
    if (name != key && Key(std::filesystem::path(name).parent_path()) == key) {
      out.push_back({std::filesystem::path(name).filename().string(), true});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Status MemoryFileStore::RemoveTree(const std::filesystem::path& path) {
  std::lock_guard lock(mu_);
  const std::string key = Key(path);
  if (!ConsumeWrite(key)) return Status::Io(key + ": remove failed (injected fault)");
  const std::string prefix = key + "/";
  auto under = [&](const std::string& name) {
    return name == key || name.compare(0, prefix.size(), prefix) == 0;
  };
  std::erase_if(files_, [&](const auto& kv) { return under(kv.first); });
  std::erase_if(dirs_, [&](const std::string& d) { return under(d); });
  return Status::Ok();
}

Status MemoryFileStore::RenameDir(const std::filesystem::path& from,
                                  const std::filesystem::path& to) {
  std::lock_guard lock(mu_);
  const std::string src = Key(from), dst = Key(to);
  if (!dirs_.count(src)) return Status::NotFound(from.string() + ": no such directory");
  if (dirs_.count(dst) || files_.count(dst)) return Status::Io(to.string() + ": already exists");
  if (!dirs_.count(Key(std::filesystem::path(dst).parent_path()))) {
    return Status::Io(to.string() + ": parent directory does not exist");
  }
  if (Under(dst, failing_dir_) || !ConsumeWrite(src)) {
    return Status::Io(src + ": rename failed (injected fault)");
  }
  const std::string prefix = src + "/";
  auto moved = [&](const std::string& name) -> std::string {
    return name == src ? dst : dst + name.substr(src.size());
  };
  std::map<std::string, std::string> files;
  for (auto& [name, data] : files_) {
    files[name.compare(0, prefix.size(), prefix) == 0 ? moved(name) : name] = std::move(data);
  }
  files_ = std::move(files);
  std::set<std::string> dirs;
  for (const auto& d : dirs_) {
    dirs.insert(d == src || d.compare(0, prefix.size(), prefix) == 0 ? moved(d) : d);
  }
  dirs_ = std::move(dirs);
  return Status::Ok();
}

bool MemoryFileStore::Exists(const std::filesystem::path& path) {
  std::lock_guard lock(mu_);
  const std::string key = Key(path);
  return files_.count(key) || dirs_.count(key);
}

}  // namespace kiosk
