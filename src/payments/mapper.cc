#include "payments/mapper.h"

#include <utility>

#include "payments/bank_file.h"
#include "payments/internal/text.h"

namespace spode::payments {
namespace {

using internal::Quote;

// The associated data the registry's importer seals account numbers with (importer.cc). The
// same here, so that rows seeded from bank_accounts and rows sealed by Link open alike.
constexpr std::string_view kAccountAssociated = "spode-account";
constexpr size_t kMaxHolderChars = 140;
constexpr size_t kMaxReasonChars = 500;
constexpr size_t kMaxUserChars = 64;
constexpr size_t kMaxWalletChars = 64;
constexpr int64_t kScanPage = 50000;
constexpr std::string_view kMask = "XXXXXXXX";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

bool AllOf(std::string_view text, bool (*ok)(char)) {
  for (char c : text) {
    if (!ok(c)) return false;
  }
  return true;
}

bool IsUserChar(char c) {
  return IsDigit(c) || IsUpper(c) || IsLower(c) || c == '.' || c == '_' || c == '-' || c == '@';
}
bool IsBankCodeChar(char c) { return IsDigit(c) || IsUpper(c); }
bool IsProviderChar(char c) { return IsDigit(c) || IsLower(c) || c == '.' || c == '_' || c == '-'; }
bool IsWalletIdChar(char c) { return c > ' ' && c < 0x7f; }

Status Bad(std::string_view field, std::string why) {
  return InvalidArgumentError(std::string(field) + ": " + why);
}

Status MustBeEmpty(std::string_view field, std::string_view value, AddressKind kind) {
  if (value.empty()) return OkStatus();
  return Bad(field, "not part of a " + std::string(AddressKindName(kind)));
}

Status CheckMemberIdx(int64_t member_idx) {
  if (member_idx <= 0)
    return Bad("member_idx", "must be positive, not " + std::to_string(member_idx));
  return OkStatus();
}

std::string MemberName(int64_t member_idx) { return "member " + std::to_string(member_idx); }

// Runs in the caller's transaction when one is open, otherwise in one of its own.
class MaybeTransaction {
 public:
  static Result<MaybeTransaction> Begin(storage::Database& db) {
    MaybeTransaction t;
    if (!db.InTransaction()) {
      ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
      t.tx_.emplace(std::move(tx));
    }
    return t;
  }
  Status Commit() { return tx_ ? tx_->Commit() : OkStatus(); }

 private:
  std::optional<storage::Transaction> tx_;
};

// The member's data key, unwrapped from the vault. When the member has no vault row yet (no
// national ID and no bank account at enrolment) and `create` is set, a key is generated and
// stored wrapped, as the importer does.
Result<crypto::DataKey> MemberDataKey(storage::Database& db, int64_t member_idx,
                                      const crypto::MasterKey& key, bool create) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    ASSIGN_OR_RETURN(
        auto row, db.QueryOne("SELECT wrapped_key FROM vault WHERE member_idx = ?", {member_idx}));
    if (row) {
      if (row->IsNull(0)) {
        return FailedPreconditionError(MemberName(member_idx) +
                                       ": the member's personal data has been erased");
      }
      Result<crypto::DataKey> dk = key.Unwrap(row->BlobBytes(0));
      if (!dk.ok()) return dk.status().WithContext(MemberName(member_idx) + ": data key");
      return dk;
    }
    if (!create) {
      return FailedPreconditionError(MemberName(member_idx) + ": the member has no data key");
    }
    crypto::DataKey fresh = crypto::DataKey::Generate();
    RETURN_IF_ERROR(db.Execute("INSERT INTO vault (member_idx, wrapped_key) VALUES (?, ?) "
                               "ON CONFLICT (member_idx) DO NOTHING",
                               {member_idx, storage::Blob{key.Wrap(fresh)}})
                        .status());
  }
  return InternalError(MemberName(member_idx) + ": the vault row written is not there");
}

std::string Masked(const AddressRecord& r) {
  switch (r.kind) {
    case AddressKind::kBankAccount:
      return r.ifsc + " / " + std::string(kMask) + r.account_last4;
    case AddressKind::kAadhaarPayment:
      return "Aadhaar (APBS) / IIN " + r.iin;
    case AddressKind::kWallet:
      return r.wallet_provider + " / " + std::string(kMask) +
             (r.wallet_id.size() > 4 ? r.wallet_id.substr(r.wallet_id.size() - 4) : "");
  }
  return "";
}

// The columns every AddressRecord is read from, in RecordFrom's order; account_sealed last.
constexpr std::string_view kRecordColumns =
    "address_id, member_idx, COALESCE(same_destination_as, address_id), kind, ifsc, "
    "account_last4, holder_name, iin, wallet_provider, wallet_id, replaces, linked_at_us, "
    "linked_by, link_reason, unlinked_at_us, unlinked_by, unlink_reason, account_sealed";
constexpr size_t kSealedColumn = 17;

std::string BankCode(std::string_view ifsc) { return std::string(ifsc.substr(0, 4)); }

Result<AddressRecord> RecordFrom(const storage::Row& row) {
  AddressRecord r;
  r.address_id = row.Int(0);
  r.member_idx = row.Int(1);
  r.destination_id = row.Int(2);
  std::optional<AddressKind> kind = ParseAddressKind(row.Text(3));
  if (!kind) {
    return DataLossError("mapper address " + std::to_string(r.address_id) + ": unknown kind " +
                         Quote(row.Text(3)));
  }
  r.kind = *kind;
  r.ifsc = row.Text(4);
  r.bank_code = BankCode(r.ifsc);
  r.account_last4 = row.Text(5);
  r.holder_name = row.Text(6);
  r.iin = row.Text(7);
  r.wallet_provider = row.Text(8);
  r.wallet_id = row.Text(9);
  if (!row.IsNull(10)) r.replaces = row.Int(10);
  r.linked_at = Timestamp{row.Int(11)};
  r.linked_by = row.Text(12);
  r.link_reason = row.Text(13);
  if (!row.IsNull(14)) r.unlinked_at = Timestamp{row.Int(14)};
  r.unlinked_by = row.Text(15);
  r.unlink_reason = row.Text(16);
  r.masked = Masked(r);
  return r;
}

std::string SelectRecords(std::string_view where) {
  return "SELECT " + std::string(kRecordColumns) + " FROM mapper_addresses " + std::string(where);
}

Result<std::string> OpenAccount(storage::Database& db, int64_t member_idx, std::string_view sealed,
                                const crypto::MasterKey& key) {
  ASSIGN_OR_RETURN(crypto::DataKey dk, MemberDataKey(db, member_idx, key, /*create=*/false));
  Result<std::string> number = dk.Open(sealed, kAccountAssociated);
  if (!number.ok()) return number.status().WithContext(MemberName(member_idx) + ": account");
  return number;
}

Status CheckParty(std::string_view party) {
  if (party == "registry") return OkStatus();
  size_t colon = party.find(':');
  std::string_view kind = party.substr(0, colon);
  std::string_view id = colon == std::string_view::npos ? "" : party.substr(colon + 1);
  if (colon == std::string_view::npos ||
      (kind != "bank" && kind != "operator" && kind != "officer" && kind != "citizen")) {
    return Bad("party", Quote(party) +
                            " is not bank:<code>, operator:<user>, officer:<user>, "
                            "citizen:<member_id> or registry");
  }
  if (kind == "bank") {
    if (id.empty() || id.size() > 11 || !AllOf(id, IsBankCodeChar)) {
      return Bad("party",
                 "the bank code in " + Quote(party) + " must be 1-11 capital letters or digits");
    }
  } else if (kind == "citizen") {
    if (id.empty() || id.size() > 20 || !AllOf(id, IsDigit)) {
      return Bad("party", "the member id in " + Quote(party) + " must be 1-20 digits");
    }
  } else if (id.empty() || id.size() > kMaxUserChars || !AllOf(id, IsUserChar)) {
    return Bad("party", "the user in " + Quote(party) +
                            " must be 1-64 letters, digits, '.', '_', '-' or '@'");
  }
  return OkStatus();
}

// Whether `next` sends money where `old` does. A bank account's number is compared opened; one
// that does not open counts as different (a hold is the safe side).
Result<bool> SameDestination(storage::Database& db, const AddressRecord& old,
                             std::string_view old_sealed, const FinancialAddress& next,
                             const crypto::MasterKey& key) {
  if (old.kind != next.kind) return false;
  switch (next.kind) {
    case AddressKind::kBankAccount: {
      if (old.ifsc != next.ifsc) return false;
      Result<std::string> number = OpenAccount(db, old.member_idx, old_sealed, key);
      if (!number.ok()) {
        if (number.status().code() == StatusCode::kDataLoss) return false;
        return number.status();
      }
      return *number == next.account_number;
    }
    case AddressKind::kAadhaarPayment:
      return old.iin == next.iin;
    case AddressKind::kWallet:
      return old.wallet_provider == next.wallet_provider && old.wallet_id == next.wallet_id;
  }
  return false;
}

}  // namespace

std::string_view AddressKindName(AddressKind kind) {
  switch (kind) {
    case AddressKind::kBankAccount:
      return "bank_account";
    case AddressKind::kAadhaarPayment:
      return "aadhaar_payment";
    case AddressKind::kWallet:
      return "wallet";
  }
  return "unknown";
}

std::optional<AddressKind> ParseAddressKind(std::string_view name) {
  for (AddressKind k :
       {AddressKind::kBankAccount, AddressKind::kAadhaarPayment, AddressKind::kWallet}) {
    if (AddressKindName(k) == name) return k;
  }
  return std::nullopt;
}

FinancialAddress FinancialAddress::BankAccount(std::string ifsc, std::string account_number,
                                               std::string holder_name) {
  FinancialAddress a;
  a.kind = AddressKind::kBankAccount;
  a.ifsc = std::move(ifsc);
  a.account_number = std::move(account_number);
  a.holder_name = std::move(holder_name);
  return a;
}

FinancialAddress FinancialAddress::AadhaarPayment(std::string iin) {
  FinancialAddress a;
  a.kind = AddressKind::kAadhaarPayment;
  a.iin = std::move(iin);
  return a;
}

FinancialAddress FinancialAddress::Wallet(std::string provider, std::string wallet_id) {
  FinancialAddress a;
  a.kind = AddressKind::kWallet;
  a.wallet_provider = std::move(provider);
  a.wallet_id = std::move(wallet_id);
  return a;
}

Status FinancialAddress::Validate() const {
  const bool bank = kind == AddressKind::kBankAccount;
  const bool aadhaar = kind == AddressKind::kAadhaarPayment;
  const bool wallet = kind == AddressKind::kWallet;
  if (!bank && !aadhaar && !wallet) return Bad("kind", "unknown address kind");
  if (bank) {
    if (!IsIfsc(ifsc)) {
      return Bad("ifsc", Quote(ifsc) +
                             " is not an IFSC (4 capital letters, 0, 6 capital letters or digits)");
    }
    if (account_number.size() < 9 || account_number.size() > 18 ||
        !AllOf(account_number, IsDigit)) {
      return Bad("account_number", "must be 9 to 18 digits");  // never echoed: it is sensitive
    }
    RETURN_IF_ERROR(internal::CheckLineText("holder_name", holder_name, 1, kMaxHolderChars));
  } else {
    RETURN_IF_ERROR(MustBeEmpty("ifsc", ifsc, kind));
    RETURN_IF_ERROR(MustBeEmpty("account_number", account_number, kind));
    RETURN_IF_ERROR(MustBeEmpty("holder_name", holder_name, kind));
  }
  if (aadhaar) {
    if (iin.size() != 6 || !AllOf(iin, IsDigit)) {
      return Bad("iin", Quote(iin) + " is not a bank IIN (6 digits)");
    }
  } else {
    RETURN_IF_ERROR(MustBeEmpty("iin", iin, kind));
  }
  if (wallet) {
    if (wallet_provider.empty() || wallet_provider.size() > kMaxWalletChars ||
        !AllOf(wallet_provider, IsProviderChar)) {
      return Bad("wallet_provider",
                 Quote(wallet_provider) + " must be 1-64 of a-z, 0-9, '.', '_' or '-'");
    }
    if (wallet_id.empty() || wallet_id.size() > kMaxWalletChars ||
        !AllOf(wallet_id, IsWalletIdChar)) {
      return Bad("wallet_id", "must be 1-64 printable ASCII characters without spaces");
    }
  } else {
    RETURN_IF_ERROR(MustBeEmpty("wallet_provider", wallet_provider, kind));
    RETURN_IF_ERROR(MustBeEmpty("wallet_id", wallet_id, kind));
  }
  return OkStatus();
}

Status ChangeBy::Validate() const {
  RETURN_IF_ERROR(CheckParty(party));
  return internal::CheckLineText("reason", reason, 1, kMaxReasonChars);
}

Result<int64_t> Mapper::Link(int64_t member_idx, const FinancialAddress& address,
                             const ChangeBy& by, const crypto::MasterKey& key) {
  bool changed = false;
  return Write(member_idx, address, by, key, /*update=*/false, &changed);
}

Result<UpdateResult> Mapper::Update(int64_t member_idx, const FinancialAddress& address,
                                    const ChangeBy& by, const crypto::MasterKey& key) {
  UpdateResult result;
  ASSIGN_OR_RETURN(result.address_id,
                   Write(member_idx, address, by, key, /*update=*/true, &result.changed));
  return result;
}

Result<int64_t> Mapper::Write(int64_t member_idx, const FinancialAddress& address,
                              const ChangeBy& by, const crypto::MasterKey& key, bool update,
                              bool* changed) {
  RETURN_IF_ERROR(CheckMemberIdx(member_idx));
  RETURN_IF_ERROR(address.Validate());
  RETURN_IF_ERROR(by.Validate());
  const int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(MaybeTransaction tx, MaybeTransaction::Begin(db_));

  ASSIGN_OR_RETURN(auto member,
                   db_.QueryOne("SELECT 1 FROM members WHERE member_idx = ?", {member_idx}));
  if (!member)
    return NotFoundError("member_idx: no " + MemberName(member_idx) + " in the registry");

  ASSIGN_OR_RETURN(
      auto current_row,
      db_.QueryOne(SelectRecords("WHERE member_idx = ? AND unlinked_at_us IS NULL"), {member_idx}));
  std::optional<AddressRecord> current;
  if (current_row) {
    ASSIGN_OR_RETURN(current, RecordFrom(*current_row));
  }
  if (!update && current) {
    return AlreadyExistsError(MemberName(member_idx) + " already has a current address (" +
                              current->masked + "); use Update to change it");
  }
  if (update && !current) {
    return NotFoundError(MemberName(member_idx) + " has no current address to update");
  }

  // Everything that can refuse, but the guard against a concurrent change, comes before the
  // address rows are written.
  if (address.kind == AddressKind::kAadhaarPayment) {
    ASSIGN_OR_RETURN(
        auto vault, db_.QueryOne("SELECT id_sealed FROM vault WHERE member_idx = ?", {member_idx}));
    if (!vault || vault->IsNull(0)) {
      return FailedPreconditionError(
          MemberName(member_idx) +
          ": an Aadhaar payment route needs the member's national ID in the vault, and there is "
          "none (never given, or erased)");
    }
  }

  storage::Value sealed = storage::Null{};
  storage::Value last4 = storage::Null{};
  if (address.kind == AddressKind::kBankAccount) {
    ASSIGN_OR_RETURN(crypto::DataKey dk, MemberDataKey(db_, member_idx, key, /*create=*/true));
    sealed = storage::Blob{dk.Seal(address.account_number, kAccountAssociated)};
    last4 = address.account_number.substr(address.account_number.size() - 4);
  }

  storage::Value same_destination_as = storage::Null{};
  storage::Value replaces = storage::Null{};
  if (current) {
    ASSIGN_OR_RETURN(
        bool same,
        SameDestination(db_, *current, current_row->BlobBytes(kSealedColumn), address, key));
    if (same && current->holder_name == address.holder_name) {
      *changed = false;  // a repeated request: nothing to record
      RETURN_IF_ERROR(tx.Commit());
      return current->address_id;
    }
    if (same) same_destination_as = current->destination_id;
    replaces = current->address_id;
    ASSIGN_OR_RETURN(int64_t ended,
                     db_.Execute("UPDATE mapper_addresses SET unlinked_at_us = ?, unlinked_by = "
                                 "?, unlink_reason = ? WHERE address_id = ? AND unlinked_at_us "
                                 "IS NULL",
                                 {now, by.party, by.reason, current->address_id}));
    if (ended != 1) {
      return AbortedError(MemberName(member_idx) +
                          ": the current address changed meanwhile; try again");
    }
  }

  auto text_or_null = [](const std::string& s) -> storage::Value {
    if (s.empty()) return storage::Null{};
    return s;
  };
  ASSIGN_OR_RETURN(
      auto inserted,
      db_.QueryOne(
          "INSERT INTO mapper_addresses (member_idx, kind, ifsc, account_last4, "
          "account_sealed, holder_name, iin, wallet_provider, wallet_id, "
          "same_destination_as, replaces, linked_at_us, linked_by, link_reason) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING address_id",
          {member_idx, std::string(AddressKindName(address.kind)), text_or_null(address.ifsc),
           last4, sealed, text_or_null(address.holder_name), text_or_null(address.iin),
           text_or_null(address.wallet_provider), text_or_null(address.wallet_id),
           same_destination_as, replaces, now, by.party, by.reason}));
  if (!inserted) return InternalError("INSERT ... RETURNING gave no row");
  RETURN_IF_ERROR(tx.Commit());
  *changed = true;
  return inserted->Int(0);
}

Result<int64_t> Mapper::Unlink(int64_t member_idx, const ChangeBy& by) {
  RETURN_IF_ERROR(CheckMemberIdx(member_idx));
  RETURN_IF_ERROR(by.Validate());
  const int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(MaybeTransaction tx, MaybeTransaction::Begin(db_));
  ASSIGN_OR_RETURN(auto ended,
                   db_.QueryOne("UPDATE mapper_addresses SET unlinked_at_us = ?, unlinked_by = ?, "
                                "unlink_reason = ? WHERE member_idx = ? AND unlinked_at_us IS "
                                "NULL RETURNING address_id",
                                {now, by.party, by.reason, member_idx}));
  if (!ended) return NotFoundError(MemberName(member_idx) + " has no current address to unlink");
  RETURN_IF_ERROR(tx.Commit());
  return ended->Int(0);
}

Result<Resolution> Mapper::Resolve(int64_t member_idx, const crypto::MasterKey* reveal_with) {
  RETURN_IF_ERROR(CheckMemberIdx(member_idx));
  // The current row if there is one, else the last one.
  ASSIGN_OR_RETURN(auto row, db_.QueryOne(SelectRecords("WHERE member_idx = ? ORDER BY "
                                                        "(unlinked_at_us IS NULL) DESC, "
                                                        "address_id DESC LIMIT 1"),
                                          {member_idx}));
  Resolution resolution;
  if (!row) return resolution;  // kNotFound
  ASSIGN_OR_RETURN(AddressRecord record, RecordFrom(*row));
  resolution.state = record.current() ? Resolution::State::kActive : Resolution::State::kInactive;
  if (reveal_with != nullptr && record.kind == AddressKind::kBankAccount) {
    ASSIGN_OR_RETURN(record.account_number,
                     OpenAccount(db_, member_idx, row->BlobBytes(kSealedColumn), *reveal_with));
  }
  resolution.address = std::move(record);
  return resolution;
}

Result<std::string> Mapper::AccountNumber(int64_t address_id, const crypto::MasterKey& key) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT member_idx, kind, account_sealed FROM "
                                          "mapper_addresses WHERE address_id = ?",
                                          {address_id}));
  if (!row) return NotFoundError("address_id: no mapper address " + std::to_string(address_id));
  if (row->Text(1) != AddressKindName(AddressKind::kBankAccount)) {
    return FailedPreconditionError("mapper address " + std::to_string(address_id) + " is a " +
                                   row->Text(1) + ", not a bank account");
  }
  return OpenAccount(db_, row->Int(0), row->BlobBytes(2), key);
}

Result<std::vector<AddressRecord>> Mapper::History(int64_t member_idx) {
  RETURN_IF_ERROR(CheckMemberIdx(member_idx));
  ASSIGN_OR_RETURN(auto rows, db_.Query(SelectRecords("WHERE member_idx = ? ORDER BY address_id"),
                                        {member_idx}));
  std::vector<AddressRecord> history;
  history.reserve(rows.size());
  for (const storage::Row& row : rows) {
    ASSIGN_OR_RETURN(AddressRecord r, RecordFrom(row));
    history.push_back(std::move(r));
  }
  return history;
}

Result<Drift> Mapper::ChangedSince(int64_t member_idx, int64_t address_id) {
  RETURN_IF_ERROR(CheckMemberIdx(member_idx));
  ASSIGN_OR_RETURN(auto used, db_.QueryOne("SELECT member_idx, COALESCE(same_destination_as, "
                                           "address_id) FROM mapper_addresses WHERE "
                                           "address_id = ?",
                                           {address_id}));
  if (!used || used->Int(0) != member_idx) {
    return NotFoundError("address_id: " + std::to_string(address_id) + " is not an address of " +
                         MemberName(member_idx));
  }
  ASSIGN_OR_RETURN(auto current, db_.QueryOne("SELECT address_id, COALESCE(same_destination_as, "
                                              "address_id) FROM mapper_addresses WHERE "
                                              "member_idx = ? AND unlinked_at_us IS NULL",
                                              {member_idx}));
  Drift drift;
  if (!current) {
    drift.kind = Drift::Kind::kUnlinked;
    return drift;
  }
  drift.current_address_id = current->Int(0);
  drift.kind = current->Int(1) == used->Int(1) ? Drift::Kind::kSame : Drift::Kind::kChanged;
  return drift;
}

Status Mapper::ForEachCurrentAddress(const std::function<Status(const CurrentAddress&)>& fn) {
  static const std::string kSql =
      "SELECT member_idx, address_id, COALESCE(same_destination_as, address_id), kind, ifsc, "
      "account_last4, iin, wallet_provider FROM mapper_addresses WHERE unlinked_at_us IS NULL "
      "AND member_idx > ? ORDER BY member_idx LIMIT " +
      std::to_string(kScanPage);
  int64_t after = 0;
  CurrentAddress a;
  std::vector<CurrentAddress> page;
  while (true) {
    // A page is read whole before `fn` runs, so `fn` may use the same Database.
    page.clear();
    {
      ASSIGN_OR_RETURN(storage::Statement * st, db_.Cached(kSql));
      st->BindInt(1, after);
      while (true) {
        ASSIGN_OR_RETURN(bool more, st->Step());
        if (!more) break;
        a.member_idx = st->ColumnInt(0);
        a.address_id = st->ColumnInt(1);
        a.destination_id = st->ColumnInt(2);
        std::optional<AddressKind> kind = ParseAddressKind(st->ColumnText(3));
        if (!kind) {
          return DataLossError("mapper address " + std::to_string(a.address_id) +
                               ": unknown kind " + Quote(st->ColumnText(3)));
        }
        a.kind = *kind;
        a.ifsc.assign(st->ColumnText(4));
        a.bank_code = BankCode(a.ifsc);
        a.account_last4.assign(st->ColumnText(5));
        a.iin.assign(st->ColumnText(6));
        a.wallet_provider.assign(st->ColumnText(7));
        page.push_back(a);
      }
    }
    for (const CurrentAddress& c : page) RETURN_IF_ERROR(fn(c));
    if (static_cast<int64_t>(page.size()) < kScanPage) return OkStatus();
    after = page.back().member_idx;
  }
}

Result<int64_t> SeedFromRegistry(storage::Database& db, const TimeSource& clock,
                                 std::string_view reason) {
  const ChangeBy by{.party = "registry", .reason = std::string(reason)};
  RETURN_IF_ERROR(by.Validate());
  ASSIGN_OR_RETURN(MaybeTransaction tx, MaybeTransaction::Begin(db));
  // The holder name the registry has, else the member's name (the bank checks it against its
  // own); cut to 140 characters as Link allows. ON CONFLICT: a member linked by another
  // connection meanwhile keeps that address.
  ASSIGN_OR_RETURN(
      int64_t linked,
      db.Execute(
          "INSERT INTO mapper_addresses (member_idx, kind, ifsc, account_last4, account_sealed, "
          "holder_name, linked_at_us, linked_by, link_reason) "
          "SELECT b.member_idx, 'bank_account', b.ifsc, b.account_last4, b.account_sealed, "
          "substr(COALESCE(NULLIF(b.holder_name, ''), m.name), 1, 140), CAST(? AS BIGINT), "
          "'registry', CAST(? AS TEXT) "
          "FROM bank_accounts b "
          "JOIN members m ON m.member_idx = b.member_idx "
          "JOIN households h ON h.household_idx = m.household_idx "
          "JOIN vault v ON v.member_idx = b.member_idx "
          "WHERE h.status <> 'rejected' AND v.wrapped_key IS NOT NULL "
          "AND NOT EXISTS (SELECT 1 FROM mapper_addresses x WHERE x.member_idx = b.member_idx) "
          "ON CONFLICT DO NOTHING",
          {clock.Now().micros, std::string(reason)}));
  RETURN_IF_ERROR(tx.Commit());
  return linked;
}

// --- G2P Connect ---

std::string_view G2pStatusName(G2pStatus status) {
  switch (status) {
    case G2pStatus::kReceived:
      return "rcvd";
    case G2pStatus::kPending:
      return "pdng";
    case G2pStatus::kSuccess:
      return "succ";
    case G2pStatus::kRejected:
      return "rjct";
  }
  return "rjct";
}

std::string_view G2pReasonName(G2pReason reason) {
  switch (reason) {
    case G2pReason::kNone:
      return "";
    case G2pReason::kReferenceIdInvalid:
      return "rjct.reference_id.invalid";
    case G2pReason::kReferenceIdDuplicate:
      return "rjct.reference_id.duplicate";
    case G2pReason::kTimestampInvalid:
      return "rjct.timestamp.invalid";
    case G2pReason::kIdInvalid:
      return "rjct.id.invalid";
    case G2pReason::kFaInvalid:
      return "rjct.fa.invalid";
    case G2pReason::kNameInvalid:
      return "rjct.name.invalid";
    case G2pReason::kMobileNumberInvalid:
      return "rjct.mobile_number.invalid";
    case G2pReason::kUnknownRetry:
      return "rjct.unknown.retry";
    case G2pReason::kOtherError:
      return "rjct.other.error";
    case G2pReason::kResolveTypeNotSupported:
      return "rjct.resolve_type.not_supported";
    case G2pReason::kBeneficiaryNameInvalid:
      return "rjct.beneficiary_name.invalid";
    case G2pReason::kFaActive:
      return "succ.fa.active";
    case G2pReason::kFaInactive:
      return "succ.fa.inactive";
    case G2pReason::kFaNotFound:
      return "succ.fa.not_found";
    case G2pReason::kFaNotLinkedToId:
      return "succ.fa.not_linked_to_id";
    case G2pReason::kIdActive:
      return "succ.id.active";
    case G2pReason::kIdInactive:
      return "succ.id.inactive";
    case G2pReason::kIdNotFound:
      return "succ.id.not_found";
  }
  return "";
}

bool G2pReasonAllowed(MapperOperation operation, G2pReason reason) {
  switch (reason) {
    case G2pReason::kNone:
    case G2pReason::kReferenceIdInvalid:
    case G2pReason::kReferenceIdDuplicate:
    case G2pReason::kTimestampInvalid:
      return true;
    case G2pReason::kIdInvalid:
    case G2pReason::kFaInvalid:
      return operation == MapperOperation::kLink || operation == MapperOperation::kResolve;
    case G2pReason::kNameInvalid:
    case G2pReason::kMobileNumberInvalid:
    case G2pReason::kUnknownRetry:
    case G2pReason::kOtherError:
      return operation == MapperOperation::kLink;
    case G2pReason::kBeneficiaryNameInvalid:
      return operation == MapperOperation::kUpdate || operation == MapperOperation::kUnlink;
    case G2pReason::kResolveTypeNotSupported:
    case G2pReason::kFaActive:
    case G2pReason::kFaInactive:
    case G2pReason::kFaNotFound:
    case G2pReason::kFaNotLinkedToId:
    case G2pReason::kIdActive:
    case G2pReason::kIdInactive:
    case G2pReason::kIdNotFound:
      return operation == MapperOperation::kResolve;
  }
  return false;
}

G2pOutcome G2pOutcomeOf(MapperOperation operation, const Status& status) {
  if (status.ok()) return {G2pStatus::kSuccess, G2pReason::kNone, ""};
  G2pReason reason = G2pReason::kOtherError;
  switch (status.code()) {
    case StatusCode::kInvalidArgument: {
      const std::string& m = status.message();
      std::string_view field = std::string_view(m).substr(0, m.find(": "));
      if (field == "holder_name") {
        reason = operation == MapperOperation::kLink ? G2pReason::kNameInvalid
                                                     : G2pReason::kBeneficiaryNameInvalid;
      } else if (field == "member_idx") {
        reason = G2pReason::kIdInvalid;
      } else if (field == "kind" || field == "ifsc" || field == "account_number" ||
                 field == "iin" || field == "wallet_provider" || field == "wallet_id") {
        reason = G2pReason::kFaInvalid;
      }
      break;
    }
    case StatusCode::kNotFound:
      reason = G2pReason::kIdInvalid;
      break;
    case StatusCode::kUnavailable:
    case StatusCode::kAborted:
    case StatusCode::kDeadlineExceeded:
      reason = G2pReason::kUnknownRetry;
      break;
    default:
      break;
  }
  if (!G2pReasonAllowed(operation, reason)) reason = G2pReason::kNone;
  return {G2pStatus::kRejected, reason, status.message()};
}

G2pOutcome G2pResolveOutcome(const Result<Resolution>& resolution) {
  if (!resolution.ok()) {
    const Status& s = resolution.status();
    return {G2pStatus::kRejected,
            s.code() == StatusCode::kInvalidArgument ? G2pReason::kIdInvalid : G2pReason::kNone,
            s.message()};
  }
  switch (resolution->state) {
    case Resolution::State::kActive:
      return {G2pStatus::kSuccess, G2pReason::kIdActive, ""};
    case Resolution::State::kInactive:
      return {G2pStatus::kSuccess, G2pReason::kIdInactive, ""};
    case Resolution::State::kNotFound:
      return {G2pStatus::kSuccess, G2pReason::kIdNotFound, ""};
  }
  return {G2pStatus::kRejected, G2pReason::kNone, ""};
}

}  // namespace spode::payments
