// Mapper: the ID → account mapper. Each registry member (member_idx) has at most one current
// financial address (a bank account, an Aadhaar-based payment route, or a wallet) that payments
// go to, and a full history of every address they had, who set it and why (tables in
// mapper_schema.cc, README.md "The mapper").
//
//   payments::Mapper mapper(db, clock);
//   ASSIGN_OR_RETURN(int64_t address_id, mapper.Link(
//       member_idx,
//       payments::FinancialAddress::BankAccount("SBIN0001234", "30012345678", "Sunita Devi"),
//       {.party = "operator:asha", .reason = "passbook shown at the e-Mitra kiosk"}, master_key));
//   ASSIGN_OR_RETURN(payments::Resolution r, mapper.Resolve(member_idx));
//   // r.state == kActive; r.address->masked == "SBIN0001234 / XXXXXXXX5678"
//   ASSIGN_OR_RETURN(payments::UpdateResult u, mapper.Update(
//       member_idx, payments::FinancialAddress::Wallet("indiapost", "9876543210"),
//       {.party = "officer:meena", .reason = "bank account closed (return AC04)"}, master_key));
//   ASSIGN_OR_RETURN(payments::Drift d, mapper.ChangedSince(member_idx, address_id));
//   // d.kind == kChanged: hold the payment that was made ready for the old account
//   ASSIGN_OR_RETURN(int64_t seeded, payments::SeedFromRegistry(db, clock));
//
// History: a change never overwrites an address. Link starts a row; Unlink ends the current row
// (unlinked_at_us, the party and the reason); Update ends the current row and starts a new one
// in one transaction. Every row names the party that made it ("bank:SBIN", "operator:<user>" for
// a citizen served by an operator, "officer:<user>", "citizen:<member_id>", "registry") and a
// reason. The database allows one current (not unlinked) row per member, whatever SQL writes it.
//
// Account numbers: only the last four digits are stored in clear; the whole number is sealed with
// the member's own data key (the registry's vault, crypto/vault_key.h), exactly as the registry's
// importer seals bank_accounts.account_sealed, so that erasing the member's wrapped key erases
// these too. Writing a bank account therefore needs the MasterKey; reading the full number needs
// it as well, and nothing else here returns it. An Aadhaar route stores only the bank's IIN: the
// national ID stays in the vault, found by member_idx.
//
// Drift: every address row has an id (address_id) and a destination_id, which stays the same
// across an Update that keeps the destination (a corrected holder name) and changes when the
// money would go elsewhere. An instruction records the address_id (and destination_id) it was
// made for; ChangedSince, or comparing with ForEachCurrentAddress in bulk, says whether the
// destination has changed since.
//
// Transactions: Link, Update, Unlink and SeedFromRegistry run in the caller's transaction when
// one is open (and then a failure leaves it unusable on PostgreSQL: roll it back), otherwise in
// one of their own.
//
// Errors: INVALID_ARGUMENT for a malformed address, party, reason or member_idx; the message
// begins with the field's name and ": " ("account_number: must be 9 to 18 digits"), which
// G2pOutcomeOf reads. NOT_FOUND for a member that is not in the registry, and for Update or
// Unlink of a member without a current address. ALREADY_EXISTS for Link of a member who has a
// current address (use Update). FAILED_PRECONDITION when the member's personal data was erased
// (no data key), or an Aadhaar route is linked for a member without a national ID in the vault.
// DATA_LOSS when a data key or a sealed number does not open with the MasterKey given (the wrong
// key file). ABORTED when another connection changed the member's address meanwhile (retry).
// Storage errors as storage/database.h.
//
// Thread-safety: a Mapper borrows one Database (one connection) and a clock, and is as
// thread-safe as the Database: not at all. Give each thread its own. The free functions are
// pure, except SeedFromRegistry, which uses the Database it is given.
#ifndef SPODE_PAYMENTS_MAPPER_H_
#define SPODE_PAYMENTS_MAPPER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "common/time_source.h"
#include "crypto/vault_key.h"
#include "storage/database.h"

namespace spode::payments {

enum class AddressKind {
  kBankAccount,     // IFSC + account number + holder name
  kAadhaarPayment,  // the Aadhaar Payment Bridge: the bank's 6-digit IIN; the ID is the vault's
  kWallet,          // a provider + the wallet's id there
};

// "bank_account", "aadhaar_payment", "wallet" (the stored names).
std::string_view AddressKindName(AddressKind kind);
std::optional<AddressKind> ParseAddressKind(std::string_view name);

// A destination as given to Link or Update. Only the fields of its kind may be set.
struct FinancialAddress {
  AddressKind kind = AddressKind::kBankAccount;
  std::string ifsc = {};             // bank_account: payments::IsIfsc ("SBIN0001234")
  std::string account_number = {};   // bank_account: 9-18 digits
  std::string holder_name = {};      // bank_account: 1-140 characters, one line
  std::string iin = {};              // aadhaar_payment: 6 digits
  std::string wallet_provider = {};  // wallet: 1-64 of [a-z0-9._-] ("indiapost")
  std::string wallet_id = {};        // wallet: 1-64 printable ASCII characters, no space

  static FinancialAddress BankAccount(std::string ifsc, std::string account_number,
                                      std::string holder_name);
  static FinancialAddress AadhaarPayment(std::string iin);
  static FinancialAddress Wallet(std::string provider, std::string wallet_id);

  // INVALID_ARGUMENT naming the field ("ifsc: ...", "account_number: ...", "holder_name: ...",
  // "iin: ...", "wallet_provider: ...", "wallet_id: ...") when a rule above is broken.
  Status Validate() const;
};

// Who made a change, and why.
//   party   "bank:<code>" (the bank's IFSC code or IIN: 1-11 capital letters or digits),
//           "operator:<user>" (a citizen served by an operator), "officer:<user>" (users:
//           1-64 of letters, digits, '.', '_', '-', '@'), "citizen:<member_id>" (digits), or
//           "registry" (seeded from the registry's import).
//   reason  1-500 characters of UTF-8 text on one line.
struct ChangeBy {
  std::string party;
  std::string reason;

  // INVALID_ARGUMENT "party: ..." or "reason: ...".
  Status Validate() const;
};

// One address row: current or ended.
struct AddressRecord {
  int64_t address_id = 0;
  int64_t member_idx = 0;
  // The address_id of the first row of an unbroken run with this same destination (equal to
  // address_id unless an Update kept the destination).
  int64_t destination_id = 0;
  AddressKind kind = AddressKind::kBankAccount;
  std::string ifsc;                        // bank_account
  std::string bank_code;                   // bank_account: the IFSC's first four letters ("SBIN")
  std::string account_last4;               // bank_account
  std::string holder_name;                 // bank_account
  std::string iin;                         // aadhaar_payment
  std::string wallet_provider, wallet_id;  // wallet
  // For people and screens: "SBIN0001234 / XXXXXXXX5678", "Aadhaar (APBS) / IIN 607094",
  // "indiapost / XXXXXXXX3210". Never the full number, never its length.
  std::string masked;
  // The full account number: only from Resolve given the MasterKey, for a bank account.
  std::optional<std::string> account_number;

  Timestamp linked_at;
  std::string linked_by, link_reason;
  std::optional<int64_t> replaces;       // the row this one replaced in an Update
  std::optional<Timestamp> unlinked_at;  // set when the row ended (Unlink or Update)
  std::string unlinked_by, unlink_reason;

  bool current() const { return !unlinked_at.has_value(); }
};

// What Resolve found.
struct Resolution {
  enum class State {
    kActive,    // the member has a current address (in `address`)
    kInactive,  // the member had addresses, all ended (`address` is the last one)
    kNotFound,  // the mapper has never held an address for this member_idx
  };
  State state = State::kNotFound;
  std::optional<AddressRecord> address;
};

struct UpdateResult {
  int64_t address_id = 0;  // the new current row, or the unchanged one
  // false: the address given equals the current one (same destination and holder name), so
  // nothing was written (a repeated request).
  bool changed = false;
};

// Whether the destination changed since an address row was used.
struct Drift {
  enum class Kind {
    kSame,      // the current address has the same destination (maybe a newer row)
    kChanged,   // the current address sends the money elsewhere
    kUnlinked,  // the member has no current address
  };
  Kind kind = Kind::kSame;
  std::optional<int64_t> current_address_id;
  bool changed() const { return kind != Kind::kSame; }
};

// A current address as the instruction generator reads it in bulk.
struct CurrentAddress {
  int64_t member_idx = 0;
  int64_t address_id = 0;
  int64_t destination_id = 0;
  AddressKind kind = AddressKind::kBankAccount;
  std::string ifsc;             // bank_account, else empty
  std::string bank_code;        // bank_account: "SBIN", else empty
  std::string account_last4;    // bank_account, else empty
  std::string iin;              // aadhaar_payment, else empty
  std::string wallet_provider;  // wallet, else empty
};

class Mapper {
 public:
  Mapper(storage::Database& db, const TimeSource& clock) : db_(db), clock_(clock) {}

  // Links `address` as the member's current address. `key` seals a bank account number with the
  // member's data key (created in the vault when the member has none yet). Returns the new
  // address_id. ALREADY_EXISTS when the member has a current address.
  Result<int64_t> Link(int64_t member_idx, const FinancialAddress& address, const ChangeBy& by,
                       const crypto::MasterKey& key);

  // Ends the current address and links `address` in its place, in one transaction; the new row
  // keeps the destination_id when the destination is the same. NOT_FOUND when the member has
  // no current address.
  Result<UpdateResult> Update(int64_t member_idx, const FinancialAddress& address,
                              const ChangeBy& by, const crypto::MasterKey& key);

  // Ends the current address; returns its address_id. NOT_FOUND when there is none.
  Result<int64_t> Unlink(int64_t member_idx, const ChangeBy& by);

  // The member's current address, or the last ended one, with `masked`; the full account number
  // only when `reveal_with` is given (FAILED_PRECONDITION if the member's data was erased).
  Result<Resolution> Resolve(int64_t member_idx, const crypto::MasterKey* reveal_with = nullptr);

  // The full account number of one address row (current or not), for the bank file of an
  // instruction made for that row. NOT_FOUND for an unknown row; FAILED_PRECONDITION for a row
  // that is not a bank account or whose member's data was erased.
  Result<std::string> AccountNumber(int64_t address_id, const crypto::MasterKey& key);

  // Every row of the member, oldest first (empty for a member never mapped).
  Result<std::vector<AddressRecord>> History(int64_t member_idx);

  // Whether the member's current destination differs from the one of row `address_id`.
  // NOT_FOUND when that row does not exist or belongs to another member.
  Result<Drift> ChangedSince(int64_t member_idx, int64_t address_id);

  // Calls `fn` for every current address, in member_idx order, reading 50,000 at a time (so
  // memory stays flat for millions). Each row is read whole; outside a transaction a change
  // committed during the scan may or may not be seen. Stops at and returns the first error `fn`
  // returns.
  Status ForEachCurrentAddress(const std::function<Status(const CurrentAddress&)>& fn);

 private:
  Result<int64_t> Write(int64_t member_idx, const FinancialAddress& address, const ChangeBy& by,
                        const crypto::MasterKey& key, bool update, bool* changed);

  storage::Database& db_;
  const TimeSource& clock_;
};

// Links, as party "registry", the registry's bank_accounts row of every member the mapper has
// never held an address for (one INSERT ... SELECT; the sealed number is copied as it is, being
// under the same member key). Skips members of rejected households and members whose data was
// erased. A member whose address was unlinked is not re-linked. Returns how many were linked;
// running it again links only members added since (0 when none).
Result<int64_t> SeedFromRegistry(storage::Database& db, const TimeSource& clock,
                                 std::string_view reason =
                                     "seeded from the registry's "
                                     "bank_accounts");

// --- G2P Connect mapper semantics (specs/g2p-connect/mapper_core_api_v1.0.0.yaml) ---

enum class MapperOperation { kLink, kResolve, kUpdate, kUnlink };

// RequestStatus: "rcvd", "pdng", "succ", "rjct".
enum class G2pStatus { kReceived, kPending, kSuccess, kRejected };
std::string_view G2pStatusName(G2pStatus status);

// The union of the spec's Link, Resolve, Update and Unlink status reason codes.
enum class G2pReason {
  kNone,                     // no reason code (the field is optional in every response)
  kReferenceIdInvalid,       // rjct.reference_id.invalid   (all four)
  kReferenceIdDuplicate,     // rjct.reference_id.duplicate (all four)
  kTimestampInvalid,         // rjct.timestamp.invalid      (all four)
  kIdInvalid,                // rjct.id.invalid             (link, resolve)
  kFaInvalid,                // rjct.fa.invalid             (link, resolve)
  kNameInvalid,              // rjct.name.invalid           (link)
  kMobileNumberInvalid,      // rjct.mobile_number.invalid  (link)
  kUnknownRetry,             // rjct.unknown.retry          (link)
  kOtherError,               // rjct.other.error            (link)
  kResolveTypeNotSupported,  // rjct.resolve_type.not_supported (resolve)
  kBeneficiaryNameInvalid,   // rjct.beneficiary_name.invalid   (update, unlink)
  kFaActive,                 // succ.fa.active      (resolve)
  kFaInactive,               // succ.fa.inactive    (resolve)
  kFaNotFound,               // succ.fa.not_found   (resolve)
  kFaNotLinkedToId,          // succ.fa.not_linked_to_id (resolve)
  kIdActive,                 // succ.id.active      (resolve)
  kIdInactive,               // succ.id.inactive    (resolve)
  kIdNotFound,               // succ.id.not_found   (resolve)
};
// The spec's code ("rjct.id.invalid"); "" for kNone.
std::string_view G2pReasonName(G2pReason reason);
// Whether the spec lists `reason` among `operation`'s codes (kNone: always).
bool G2pReasonAllowed(MapperOperation operation, G2pReason reason);

struct G2pOutcome {
  G2pStatus status = G2pStatus::kSuccess;
  G2pReason reason = G2pReason::kNone;
  std::string message;  // status_reason_message: the Status's message, or empty
};

// The response status of a Link, Update or Unlink that returned `status`, using only the codes
// the spec lists for that operation: OK → succ; INVALID_ARGUMENT on the address → rjct.fa.invalid
// (link), on the holder name → rjct.name.invalid (link) or rjct.beneficiary_name.invalid
// (update, unlink), on member_idx → rjct.id.invalid (link); NOT_FOUND → rjct.id.invalid (link);
// UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED → rjct.unknown.retry (link); anything else
// rjct.other.error (link). Where the operation's list has no fitting code, rjct without one.
G2pOutcome G2pOutcomeOf(MapperOperation operation, const Status& status);

// The response status of a Resolve by member: an active address → succ + succ.id.active; only
// ended ones → succ + succ.id.inactive; none → succ + succ.id.not_found; INVALID_ARGUMENT →
// rjct + rjct.id.invalid; another error → rjct without a code.
G2pOutcome G2pResolveOutcome(const Result<Resolution>& resolution);

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_MAPPER_H_
