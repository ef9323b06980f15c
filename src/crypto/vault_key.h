// Keys and primitives for personal data (libsodium).
//
// MasterKey: 32 random bytes in a key file created once with mode 0600 and never stored in the
// database. Subkeys are derived from it for each purpose (KDF contexts below), so the token key
// and the key-wrapping key are independent.
//
// Sealing: each person gets a random data key; their national ID (and bank account number) is
// encrypted with it (XChaCha20-Poly1305), and the data key is stored wrapped by the master key.
// Destroying the wrapped key erases the person's sealed data for good (DPDP erasure), without
// rewriting other rows.
//
// Tokens: a keyed BLAKE2b-256 hash of a national ID, the same for the same number, used for
// look-up and exact de-duplication. Without the key file a token reveals nothing.
//
//   ASSIGN_OR_RETURN(auto key, crypto::MasterKey::LoadOrCreate("demo/spode.db.key"));
//   std::string token = key.Token("234567890124");
//   crypto::DataKey dk = crypto::DataKey::Generate();
//   std::string sealed = dk.Seal("234567890124", token);        // nonce || ciphertext
//   std::string wrapped = key.Wrap(dk);
//   ASSIGN_OR_RETURN(crypto::DataKey again, key.Unwrap(wrapped));
//   ASSIGN_OR_RETURN(std::string id, again.Open(sealed, token));
//
// Thread-safety: MasterKey and DataKey are immutable after construction; their methods may be
// called from any thread.
#ifndef SPODE_CRYPTO_VAULT_KEY_H_
#define SPODE_CRYPTO_VAULT_KEY_H_

#include <array>
#include <string>
#include <string_view>

#include "common/result.h"

namespace spode::crypto {

// Initialises libsodium; safe to call many times. Aborts if the library cannot start (no
// entropy source), since nothing secure can be done then.
void InitSodium();

class DataKey {
 public:
  static DataKey Generate();
  // nonce (24 bytes) || XChaCha20-Poly1305 ciphertext; `associated` binds it to its row.
  std::string Seal(std::string_view plaintext, std::string_view associated) const;
  // Appends what Seal returns to *out (no allocation when *out has room).
  void SealInto(std::string* out, std::string_view plaintext, std::string_view associated) const;
  // DATA_LOSS when the ciphertext or associated data do not verify.
  Result<std::string> Open(std::string_view sealed, std::string_view associated) const;
  const std::array<unsigned char, 32>& bytes() const { return key_; }
  static DataKey FromBytes(const unsigned char* p);
  ~DataKey();

 private:
  DataKey() = default;
  std::array<unsigned char, 32> key_{};
};

class MasterKey {
 public:
  // Reads the key file, or creates it (mode 0600, parent directory must exist) when absent.
  // DATA_LOSS for a file of the wrong size; PERMISSION_DENIED when it is readable by others.
  static Result<MasterKey> LoadOrCreate(const std::string& path);
  // Reads an existing key file only. NOT_FOUND when it does not exist.
  static Result<MasterKey> Load(const std::string& path);
  // A key from 32 bytes (tests).
  static MasterKey FromBytes(std::string_view bytes32);

  // The 32-byte look-up token of a national ID.
  std::string Token(std::string_view national_id) const;
  std::string Wrap(const DataKey& key) const;
  // Append forms of Token and Wrap.
  void TokenInto(std::string* out, std::string_view national_id) const;
  void WrapInto(std::string* out, const DataKey& key) const;
  Result<DataKey> Unwrap(std::string_view wrapped) const;

  MasterKey(const MasterKey&) = default;
  MasterKey& operator=(const MasterKey&) = default;
  ~MasterKey();

 private:
  MasterKey() = default;
  void Derive(const unsigned char* master);
  std::array<unsigned char, 32> token_key_{};
  std::array<unsigned char, 32> wrap_key_{};
};

// Lower-case hex of bytes, and back (INVALID_ARGUMENT on bad hex).
std::string ToHex(std::string_view bytes);
Result<std::string> FromHex(std::string_view hex);

// BLAKE2b-256 of `bytes` (unkeyed): for storing session tokens and one-time codes.
std::string Hash256(std::string_view bytes);

// Hash256 of bytes given a piece at a time (a file read in stretches): Final gives the hash of
// all the pieces joined, once.
class Hasher256 {
 public:
  Hasher256();
  void Update(std::string_view bytes);
  std::string Final();

 private:
  static constexpr size_t kStateBytes = 384;  // crypto_generichash_state, checked where used
  alignas(64) unsigned char state_[kStateBytes];
};

// A uniformly random number in [0, upper).
uint32_t RandomBelow(uint32_t upper);

// `n` random bytes from the operating system's CSPRNG.
std::string RandomBytes(size_t n);

// Argon2id password hashing (libsodium's crypto_pwhash_str, interactive limits).
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace spode::crypto

#endif  // SPODE_CRYPTO_VAULT_KEY_H_
