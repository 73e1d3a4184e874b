// The FileStore contract, run against both implementations.
#include "kiosk/core/file_store.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <memory>

#include "kiosk/platform/fs/posix_file_store.h"
#include "tests/core/update/test_support.h"

namespace kiosk {
namespace {

void CheckContract(FileStore& store, const std::filesystem::path& root) {
  CHECK(store.ReadFile(root / "missing").status().code() == Status::Code::kNotFound);
  CHECK(store.List(root / "missing").status().code() == Status::Code::kNotFound);
  CHECK_FALSE(store.Exists(root / "a"));
  // Writing needs the directory.
  CHECK_FALSE(store.WriteFileAtomic(root / "a" / "f", "x").ok());

  REQUIRE(store.MakeDirs(root / "a" / "b" / "c").ok());
  REQUIRE(store.MakeDirs(root / "a" / "b").ok());  // idempotent
  REQUIRE(store.WriteFileAtomic(root / "a" / "f", "first").ok());
  REQUIRE(store.WriteFileAtomic(root / "a" / "f", "second, longer").ok());
  REQUIRE(store.WriteFileAtomic(root / "a" / "b" / "c" / "deep", std::string("\0\1", 2)).ok());
  CHECK(*store.ReadFile(root / "a" / "f") == "second, longer");
  CHECK(*store.ReadFile(root / "a" / "b" / "c" / "deep") == std::string("\0\1", 2));
  CHECK(store.Exists(root / "a" / "b"));

  auto list = store.List(root / "a");
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);  // no temp files left behind
  CHECK((*list)[0].name == "b");
  CHECK((*list)[0].is_directory);
  CHECK((*list)[1].name == "f");
  CHECK_FALSE((*list)[1].is_directory);

  auto files = ListFilesRecursive(store, root / "a");
  REQUIRE(files.ok());
  CHECK(*files == std::vector<std::string>{"b/c/deep", "f"});

  // A file where a directory is wanted.
  CHECK_FALSE(store.MakeDirs(root / "a" / "f" / "g").ok());

  REQUIRE(store.MakeDirs(root / "z").ok());
  CHECK_FALSE(store.RenameDir(root / "a", root / "z").ok());  // target exists
  CHECK(store.RenameDir(root / "nope", root / "y").code() == Status::Code::kNotFound);
  REQUIRE(store.RemoveTree(root / "z").ok());
  REQUIRE(store.RenameDir(root / "a", root / "z").ok());
  CHECK_FALSE(store.Exists(root / "a"));
  CHECK(*store.ReadFile(root / "z" / "b" / "c" / "deep") == std::string("\0\1", 2));

  REQUIRE(store.RemoveTree(root / "z").ok());
  CHECK_FALSE(store.Exists(root / "z"));
  CHECK_FALSE(store.Exists(root / "z" / "f"));
  CHECK(store.RemoveTree(root / "z").ok());  // absent is fine
}

TEST_CASE("file store: the in-memory store keeps the contract") {
  MemoryFileStore store;
  REQUIRE(store.MakeDirs("/root").ok());
  CheckContract(store, "/root");
}

TEST_CASE("file store: the POSIX store keeps the contract") {
  testing::TempDir dir;
  PosixFileStore store;
  CheckContract(store, dir.path());
}

TEST_CASE("file store: the POSIX store writes 0644 files and does not leak descriptors") {
  testing::TempDir dir;
  PosixFileStore store;
  // A descriptor number reused right after means none leaked in between.
  int before = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ::close(before);
  for (int i = 0; i < 50; ++i) {
    REQUIRE(store.WriteFileAtomic(dir.path() / "f", std::to_string(i)).ok());
    REQUIRE(store.ReadFile(dir.path() / "f").ok());
  }
  int after = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ::close(after);
  CHECK(after == before);
  struct stat st;
  REQUIRE(::stat((dir.path() / "f").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(*store.ReadFile(dir.path() / "f") == "49");
}

TEST_CASE("file store: the in-memory store injects write failures") {
  MemoryFileStore store;
  store.FailWritesAfter(1);
  CHECK(store.WriteFileAtomic("/f", "ok").ok());
  CHECK(store.WriteFileAtomic("/g", "no").code() == Status::Code::kIo);
  CHECK_FALSE(store.Exists("/g"));
  store.FailWritesAfter(-1);
  CHECK(store.WriteFileAtomic("/g", "yes").ok());
}

}  // namespace
}  // namespace kiosk
