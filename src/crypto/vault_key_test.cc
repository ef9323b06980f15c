#include "crypto/vault_key.h"

#include <sys/stat.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace spode::crypto {
namespace {

std::string TempPath(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string(name) + "." + std::to_string(::getpid())))
      .string();
}

TEST(MasterKey, CreatesKeyFileWithOwnerOnlyPermissionsAndReloadsSameKey) {
  std::string path = TempPath("spode-key");
  std::filesystem::remove(path);
  auto a = MasterKey::LoadOrCreate(path);
  ASSERT_TRUE(a.ok()) << a.status();
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto b = MasterKey::LoadOrCreate(path);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->Token("234567890124"), b->Token("234567890124"));
  std::filesystem::remove(path);
}

TEST(MasterKey, RefusesKeyFileReadableByOthers) {
  std::string path = TempPath("spode-key-open");
  std::filesystem::remove(path);
  ASSERT_TRUE(MasterKey::LoadOrCreate(path).ok());
  chmod(path.c_str(), 0644);
  EXPECT_EQ(MasterKey::Load(path).status().code(), StatusCode::kPermissionDenied);
  std::filesystem::remove(path);
  EXPECT_EQ(MasterKey::Load(path).status().code(), StatusCode::kNotFound);
}

TEST(MasterKey, TokensAreKeyedAndDeterministic) {
  MasterKey k1 = MasterKey::FromBytes(std::string(32, 'a'));
  MasterKey k2 = MasterKey::FromBytes(std::string(32, 'b'));
  EXPECT_EQ(k1.Token("234567890124").size(), 32u);
  EXPECT_EQ(k1.Token("234567890124"), k1.Token("234567890124"));
  EXPECT_NE(k1.Token("234567890124"), k1.Token("234567890125"));
  EXPECT_NE(k1.Token("234567890124"), k2.Token("234567890124"));
}

TEST(DataKey, SealOpenRoundTripAndTamperDetection) {
  MasterKey master = MasterKey::FromBytes(std::string(32, 'k'));
  DataKey dk = DataKey::Generate();
  std::string sealed = dk.Seal("234567890124", "row-7");
  EXPECT_EQ(sealed.find("234567890124"), std::string::npos);
  auto wrapped = master.Wrap(dk);
  auto unwrapped = master.Unwrap(wrapped);
  ASSERT_TRUE(unwrapped.ok());
  auto opened = unwrapped->Open(sealed, "row-7");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "234567890124");
  EXPECT_EQ(unwrapped->Open(sealed, "row-8").status().code(), StatusCode::kDataLoss);
  sealed[30] ^= 1;
  EXPECT_EQ(unwrapped->Open(sealed, "row-7").status().code(), StatusCode::kDataLoss);
  MasterKey other = MasterKey::FromBytes(std::string(32, 'x'));
  EXPECT_EQ(other.Unwrap(wrapped).status().code(), StatusCode::kDataLoss);
}

TEST(Hex, RoundTripAndErrors) {
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*FromHex("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(FromHex("abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FromHex("zz").status().code(), StatusCode::kInvalidArgument);
}

TEST(Hash256, IsBlake2b256AndTheSameInPieces) {
  // BLAKE2b with a 32-byte digest (RFC 7693's algorithm; Python's hashlib.blake2b agrees).
  EXPECT_EQ(ToHex(Hash256("abc")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  EXPECT_EQ(ToHex(Hasher256().Final()),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  std::string text;
  for (int i = 0; i < 10000; ++i) text += std::to_string(i * 7919) + ",";
  Hasher256 pieces;
  for (size_t at = 0, n = 1; at < text.size(); at += n, n = n * 3 + 1) {
    pieces.Update(std::string_view(text).substr(at, n));
  }
  EXPECT_EQ(pieces.Final(), Hash256(text));
}

TEST(Password, HashVerifies) {
  auto h = HashPassword("correct horse");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(*h, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*h, "wrong horse"));
}

}  // namespace
}  // namespace spode::crypto
