#include "crypto/vault_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace spode::crypto {
namespace {

constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES] = {'s', 'p', 'o', 'd', 'e', 'v', 'l', 't'};
constexpr uint64_t kTokenSubkey = 1;
constexpr uint64_t kWrapSubkey = 2;

void SealAppend(std::string* dest, const unsigned char* key, std::string_view plaintext,
                std::string_view associated) {
  size_t at = dest->size();
  dest->resize(at + kNonce + plaintext.size() + kTag);
  auto* p = reinterpret_cast<unsigned char*>(dest->data() + at);
  randombytes_buf(p, kNonce);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      p + kNonce, &clen, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(associated.data()),
      associated.size(), nullptr, p, key);
}

std::string SealWith(const unsigned char* key, std::string_view plaintext,
                     std::string_view associated) {
  std::string out;
  SealAppend(&out, key, plaintext, associated);
  return out;
}

Result<std::string> OpenWith(const unsigned char* key, std::string_view sealed,
                             std::string_view associated) {
  if (sealed.size() < kNonce + kTag) return DataLossError("sealed value too short");
  std::string out(sealed.size() - kNonce - kTag, '\0');
  unsigned long long mlen = 0;
  auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr, s + kNonce,
          sealed.size() - kNonce, reinterpret_cast<const unsigned char*>(associated.data()),
          associated.size(), s, key) != 0) {
    return DataLossError("sealed value does not verify (wrong key or tampered)");
  }
  out.resize(mlen);
  return out;
}

}  // namespace

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    // libsodium's user-space ChaCha20 generator, seeded and reseeded from the kernel, rather
    // than one getrandom() system call per request: bulk import seals millions of values.
    randombytes_set_implementation(&randombytes_internal_implementation);
    if (sodium_init() < 0) std::abort();
  });
}

DataKey DataKey::Generate() {
  InitSodium();
  DataKey k;
  crypto_aead_xchacha20poly1305_ietf_keygen(k.key_.data());
  return k;
}

DataKey DataKey::FromBytes(const unsigned char* p) {
  DataKey k;
  std::memcpy(k.key_.data(), p, k.key_.size());
  return k;
}

DataKey::~DataKey() { sodium_memzero(key_.data(), key_.size()); }

std::string DataKey::Seal(std::string_view plaintext, std::string_view associated) const {
  return SealWith(key_.data(), plaintext, associated);
}

void DataKey::SealInto(std::string* out, std::string_view plaintext,
                       std::string_view associated) const {
  SealAppend(out, key_.data(), plaintext, associated);
}

Result<std::string> DataKey::Open(std::string_view sealed, std::string_view associated) const {
  return OpenWith(key_.data(), sealed, associated);
}

void MasterKey::Derive(const unsigned char* master) {
  crypto_kdf_derive_from_key(token_key_.data(), token_key_.size(), kTokenSubkey, kKdfContext,
                             master);
  crypto_kdf_derive_from_key(wrap_key_.data(), wrap_key_.size(), kWrapSubkey, kKdfContext, master);
}

MasterKey MasterKey::FromBytes(std::string_view bytes32) {
  InitSodium();
  MasterKey k;
  unsigned char master[32] = {};
  std::memcpy(master, bytes32.data(), bytes32.size() < 32 ? bytes32.size() : 32);
  k.Derive(master);
  sodium_memzero(master, sizeof master);
  return k;
}

Result<MasterKey> MasterKey::Load(const std::string& path) {
  InitSodium();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError("no vault key file at " + path);
    return UnavailableError("cannot read vault key file " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    return UnavailableError("cannot stat " + path);
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return PermissionDeniedError("vault key file " + path +
                                 " is readable by others; run: chmod 600 " + path);
  }
  unsigned char master[33];
  ssize_t n = ::read(fd, master, sizeof master);
  ::close(fd);
  if (n != 32) {
    sodium_memzero(master, sizeof master);
    return DataLossError("vault key file " + path + " must hold exactly 32 bytes");
  }
  MasterKey k;
  k.Derive(master);
  sodium_memzero(master, sizeof master);
  return k;
}

Result<MasterKey> MasterKey::LoadOrCreate(const std::string& path) {
  InitSodium();
  auto loaded = Load(path);
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  unsigned char master[32];
  randombytes_buf(master, sizeof master);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    sodium_memzero(master, sizeof master);
    return UnavailableError("cannot create vault key file " + path + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, master, sizeof master) == 32 && ::fsync(fd) == 0;
  ::close(fd);
  sodium_memzero(master, sizeof master);
  if (!ok) return UnavailableError("cannot write vault key file " + path);
  return Load(path);
}

MasterKey::~MasterKey() {
  sodium_memzero(token_key_.data(), token_key_.size());
  sodium_memzero(wrap_key_.data(), wrap_key_.size());
}

std::string MasterKey::Token(std::string_view national_id) const {
  std::string out;
  TokenInto(&out, national_id);
  return out;
}

void MasterKey::TokenInto(std::string* out, std::string_view national_id) const {
  size_t at = out->size();
  out->resize(at + 32);
  crypto_generichash(reinterpret_cast<unsigned char*>(out->data() + at), 32,
                     reinterpret_cast<const unsigned char*>(national_id.data()),
                     national_id.size(), token_key_.data(), token_key_.size());
}

void MasterKey::WrapInto(std::string* out, const DataKey& key) const {
  SealAppend(out, wrap_key_.data(),
             std::string_view(reinterpret_cast<const char*>(key.bytes().data()), 32),
             "spode-data-key");
}

std::string MasterKey::Wrap(const DataKey& key) const {
  return SealWith(wrap_key_.data(),
                  std::string_view(reinterpret_cast<const char*>(key.bytes().data()), 32),
                  "spode-data-key");
}

Result<DataKey> MasterKey::Unwrap(std::string_view wrapped) const {
  ASSIGN_OR_RETURN(std::string raw, OpenWith(wrap_key_.data(), wrapped, "spode-data-key"));
  if (raw.size() != 32) return DataLossError("wrapped key has the wrong size");
  DataKey k = DataKey::FromBytes(reinterpret_cast<const unsigned char*>(raw.data()));
  sodium_memzero(raw.data(), raw.size());
  return k;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return InvalidArgumentError("hex text has an odd length");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgumentError("not hex");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string Hash256(std::string_view bytes) {
  std::string out(32, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                     0);
  return out;
}

static_assert(sizeof(crypto_generichash_state) <= 384 &&
              alignof(crypto_generichash_state) <= 64);

Hasher256::Hasher256() {
  InitSodium();
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0, 32);
}

void Hasher256::Update(std::string_view bytes) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_),
                            reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string Hasher256::Final() {
  std::string out(32, '\0');
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_),
                           reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

uint32_t RandomBelow(uint32_t upper) {
  InitSodium();
  return randombytes_uniform(upper);
}

std::string RandomBytes(size_t n) {
  InitSodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

Result<std::string> HashPassword(std::string_view password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return ResourceExhaustedError("out of memory hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  InitSodium();
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace spode::crypto
