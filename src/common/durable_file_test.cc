#include "common/durable_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace spode {
namespace {

namespace fs = std::filesystem;

// A directory of its own under `base`, removed afterwards.
class ScopedDir {
 public:
  explicit ScopedDir(const fs::path& base, const std::string& name)
      : path_(base / (name + "." + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScopedDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Bytes that differ from place to place, so that a stretch written twice or out of place shows.
std::string Pattern(size_t n, unsigned seed) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : out) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

// Writes `pieces` through a DurableFile at dir/name and returns what is on disk.
std::string WriteAndReadBack(const fs::path& dir, const std::vector<std::string>& pieces,
                             bool direct = true) {
  fs::path path = dir / "file.xml";
  fs::remove(path);
  DurableFile f(path, direct);
  EXPECT_TRUE(f.Open().ok());
  for (const std::string& p : pieces) EXPECT_TRUE(f.Append(p).ok());
  EXPECT_FALSE(fs::exists(path)) << "visible before Commit";
  Status committed = f.Commit();
  EXPECT_TRUE(committed.ok()) << committed.message();
  EXPECT_FALSE(fs::exists(dir / "file.xml.tmp"));
  return Slurp(path);
}

// Whether the system takes an O_DIRECT open in `dir`, asked directly.
bool DirectIoWorks(const fs::path& dir) {
  int fd = ::open((dir / "probe").c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  ::close(fd);
  fs::remove(dir / "probe");
  return true;
}

void ExpectRoundTrips(const fs::path& dir, bool direct) {
  // Lengths around the 4 KiB block and the 1 MiB staging buffer, in pieces of every size.
  for (size_t total : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097},
                       size_t{(1 << 20) - 1}, size_t{1 << 20}, size_t{(1 << 20) + 1},
                       size_t{3 * (1 << 20) + 12345}}) {
    std::string whole = Pattern(total, static_cast<unsigned>(total));
    std::vector<std::string> pieces;
    for (size_t at = 0, n = 1; at < whole.size(); at += n, n = n * 5 + 3) {
      pieces.push_back(whole.substr(at, n));
    }
    EXPECT_EQ(WriteAndReadBack(dir, pieces, direct), whole) << total << " bytes in pieces";
    EXPECT_EQ(WriteAndReadBack(dir, {whole}, direct), whole) << total << " bytes at once";
    std::string read;
    size_t calls = 0;
    Status s = ReadFileInPieces(dir / "file.xml", [&](std::string_view piece) {
      ++calls;
      EXPECT_FALSE(piece.empty());
      read.append(piece);
      return OkStatus();
    }, direct);
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(read, whole) << total << " bytes read in pieces";
    EXPECT_EQ(calls, (total + (1 << 20) - 1) / (1 << 20));
  }
}

TEST(DurableFile, WritesExactlyTheBytesAppended) {
  ScopedDir dir(fs::temp_directory_path(), "durable_file_test");
  ExpectRoundTrips(dir.path(), /*direct=*/true);
}

TEST(DurableFile, WritesExactlyTheBytesAppendedThroughThePageCache) {
  // What a file system that refuses direct I/O gets.
  ScopedDir dir(fs::temp_directory_path(), "durable_file_test");
  ExpectRoundTrips(dir.path(), /*direct=*/false);
}

TEST(DurableFile, SaysWhetherItWritesAroundThePageCache) {
  ScopedDir dir(fs::temp_directory_path(), "durable_file_test");
  DurableFile cached(dir.path() / "a", /*direct=*/false);
  ASSERT_TRUE(cached.Open().ok());
  EXPECT_FALSE(cached.direct());
  DurableFile direct(dir.path() / "b");
  ASSERT_TRUE(direct.Open().ok());
  // Linux's ext4, xfs, btrfs and (since 6.6) tmpfs take O_DIRECT; where the system refuses
  // it, the file says so, and the other tests show the bytes are right either way.
  EXPECT_EQ(direct.direct(), DirectIoWorks(dir.path()));
}

TEST(DurableFile, ReplacesAnEarlierFileOnlyAtCommit) {
  ScopedDir dir(fs::temp_directory_path(), "durable_file_test");
  fs::path path = dir.path() / "file.csv";
  { std::ofstream(path) << "old"; }
  {
    DurableFile f(path);
    ASSERT_TRUE(f.Open().ok());
    ASSERT_TRUE(f.Append(Pattern(10000, 1)).ok());
    EXPECT_EQ(Slurp(path), "old");
  }  // dropped without Commit: the earlier file stays, the temporary one goes
  EXPECT_EQ(Slurp(path), "old");
  EXPECT_FALSE(fs::exists(dir.path() / "file.csv.tmp"));
  DurableFile f(path);
  ASSERT_TRUE(f.Open().ok());
  ASSERT_TRUE(f.Append("new").ok());
  ASSERT_TRUE(f.Commit().ok());
  EXPECT_EQ(Slurp(path), "new");
}

TEST(DurableFile, ASyncedFileAppearsOnlyWhenPublished) {
  ScopedDir dir(fs::temp_directory_path(), "durable_file_test");
  fs::path path = dir.path() / "file.xml";
  fs::path tmp = dir.path() / "file.xml.tmp";
  std::string whole = Pattern((1 << 20) + 4321, 7);
  {
    DurableFile f(path);
    ASSERT_TRUE(f.Open().ok());
    EXPECT_EQ(f.Publish().code(), StatusCode::kFailedPrecondition) << "published unsynced";
    ASSERT_TRUE(f.Append(whole).ok());
    ASSERT_TRUE(f.Sync().ok());
    EXPECT_FALSE(fs::exists(path)) << "visible before Publish";
    EXPECT_EQ(Slurp(tmp), whole) << "synced whole under the temporary name";
    EXPECT_FALSE(f.Append("more").ok()) << "appended after Sync";
  }  // dropped synced but unpublished: as if never written
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(tmp));
  DurableFile f(path);
  ASSERT_TRUE(f.Open().ok());
  ASSERT_TRUE(f.Append(whole).ok());
  ASSERT_TRUE(f.Sync().ok());
  ASSERT_TRUE(f.Publish().ok());
  EXPECT_EQ(Slurp(path), whole);
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_EQ(f.Publish().code(), StatusCode::kFailedPrecondition) << "published twice";
}

TEST(DurableFile, AMissingDirectoryIsUnavailable) {
  DurableFile f("/nonexistent-spode-dir/file.xml");
  Status s = f.Open();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("/nonexistent-spode-dir/file.xml.tmp"), std::string::npos);
}

TEST(SyncAndPublish, GivesAFileSomethingElseWroteItsNameAndAMissingOneIsUnavailable) {
  ScopedDir dir(fs::temp_directory_path(), "durable_file_test");
  fs::path tmp = dir.path() / "copy.db.tmp";
  fs::path path = dir.path() / "copy.db";
  { std::ofstream(tmp) << "written by another"; }
  ASSERT_TRUE(SyncAndPublish(tmp, path).ok());
  EXPECT_EQ(Slurp(path), "written by another");
  EXPECT_FALSE(fs::exists(tmp));
  Status s = SyncAndPublish(dir.path() / "never.tmp", dir.path() / "never");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("never.tmp"), std::string::npos) << s;
  EXPECT_FALSE(fs::exists(dir.path() / "never"));
}

TEST(ReadFileInPieces, AMissingFileIsNotFound) {
  Status s = ReadFileInPieces("/nonexistent-spode-dir/file.xml",
                              [](std::string_view) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST(ReadFileInPieces, StopsAtTheFirstFailureOfThePiece) {
  ScopedDir dir(fs::temp_directory_path(), "durable_file_test");
  std::string whole = Pattern(3 << 20, 9);
  WriteAndReadBack(dir.path(), {whole});
  size_t calls = 0;
  Status s = ReadFileInPieces(dir.path() / "file.xml", [&](std::string_view) {
    ++calls;
    return DataLossError("bad piece");
  });
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(calls, 1u);
}

}  // namespace
}  // namespace spode
