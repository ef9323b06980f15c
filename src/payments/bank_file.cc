#include "payments/bank_file.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "payments/internal/order.h"
#include "payments/internal/text.h"

namespace spode::payments {
namespace {

using internal::CheckLineText;
using internal::Quote;

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsUpper(c) || IsDigit(c) || (c >= 'a' && c <= 'z'); }

Status CheckAlnum(const std::string& field, std::string_view value, size_t max) {
  if (value.empty()) return InvalidArgumentError(field + ": missing");
  if (value.size() > max) {
    return InvalidArgumentError(field + ": longer than " + std::to_string(max) + " characters");
  }
  for (char c : value) {
    if (!IsAlnum(c)) {
      return InvalidArgumentError(field + ": " + Quote(value) +
                                  " may hold only letters and digits");
    }
  }
  return OkStatus();
}

Status CheckIfsc(const std::string& field, std::string_view value) {
  if (IsIfsc(value)) return OkStatus();
  return InvalidArgumentError(
      field + ": " + Quote(value) +
      " is not an IFSC (4 capital letters, 0, 6 capital letters or digits)");
}

bool IsIban(std::string_view v) {
  if (v.size() < 5 || v.size() > 34) return false;
  if (!IsUpper(v[0]) || !IsUpper(v[1]) || !IsDigit(v[2]) || !IsDigit(v[3])) return false;
  for (char c : v.substr(4)) {
    if (!IsUpper(c) && !IsDigit(c)) return false;
  }
  return true;
}

}  // namespace

bool IsIfsc(std::string_view text) {
  if (text.size() != 11) return false;
  for (int i = 0; i < 4; ++i) {
    if (!IsUpper(text[i])) return false;
  }
  if (text[4] != '0') return false;
  for (int i = 5; i < 11; ++i) {
    if (!IsUpper(text[i]) && !IsDigit(text[i])) return false;
  }
  return true;
}

std::string RemittanceInformation(const CreditTransfer& transfer) {
  return "DBT/" + transfer.scheme_code + "/" + transfer.period;
}

Result<ValidatedBatch> ValidateBatch(const CreditTransferBatch& batch) {
  RETURN_IF_ERROR(CheckLineText("message_id", batch.message_id, 1, 35));
  RETURN_IF_ERROR(CheckLineText("initiating_party_name", batch.initiating_party_name, 1, 140));
  RETURN_IF_ERROR(CheckLineText("initiating_party_id", batch.initiating_party_id, 0, 35));
  if (batch.utc_offset_minutes < -14 * 60 || batch.utc_offset_minutes > 14 * 60) {
    return InvalidArgumentError("utc_offset_minutes: outside -14:00..+14:00");
  }
  if (batch.transfers.empty()) {
    return InvalidArgumentError("transfers: a bank file needs at least one credit transfer");
  }

  ValidatedBatch out;
  std::unordered_map<std::string_view, size_t> debtor_index;
  for (size_t i = 0; i < batch.debtor_accounts.size(); ++i) {
    const DebtorAccount& d = batch.debtor_accounts[i];
    const std::string at = "debtor_accounts[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(CheckLineText(at + ".id", d.id, 1, 64));
    RETURN_IF_ERROR(CheckLineText(at + ".name", d.name, 1, 140));
    if (d.iban.empty() == d.account_number.empty()) {
      return InvalidArgumentError(at + ": give exactly one of iban and account_number");
    }
    if (!d.iban.empty() && !IsIban(d.iban)) {
      return InvalidArgumentError(at + ".iban: " + Quote(d.iban) + " is not an IBAN");
    }
    if (!d.account_number.empty()) {
      RETURN_IF_ERROR(CheckAlnum(at + ".account_number", d.account_number, 34));
    }
    RETURN_IF_ERROR(CheckIfsc(at + ".ifsc", d.ifsc));
    if (!debtor_index.emplace(d.id, i).second) {
      return InvalidArgumentError(at + ".id: " + Quote(d.id) + " appears twice");
    }
  }

  std::vector<size_t> debtor_of(batch.transfers.size());  // into batch.debtor_accounts
  // A file's transfers share their debtor, scheme and period: each distinct value is checked
  // once, and a field's name ("transfers[3].creditor_ifsc") is made only for an error.
  std::string_view checked_debtor, checked_scheme, checked_period;
  size_t checked_debtor_index = 0;
  bool checked_any = false;
  for (size_t i = 0; i < batch.transfers.size(); ++i) {
    const CreditTransfer& t = batch.transfers[i];
    auto at = [i] { return "transfers[" + std::to_string(i) + "]"; };
    if (Status s = CheckLineText("instruction_id", t.instruction_id, 1, 35); !s.ok()) {
      return CheckLineText(at() + ".instruction_id", t.instruction_id, 1, 35);
    }
    if (!checked_any || t.debtor_account_id != checked_debtor) {
      auto debtor = debtor_index.find(t.debtor_account_id);
      if (debtor == debtor_index.end()) {
        return InvalidArgumentError(at() + ".debtor_account_id: " + Quote(t.debtor_account_id) +
                                    " is not one of the batch's debtor accounts");
      }
      checked_debtor = t.debtor_account_id;
      checked_debtor_index = debtor->second;
    }
    if (t.amount <= Money()) {
      return InvalidArgumentError(at() + ".amount: must be positive, is " + t.amount.ToString());
    }
    if (Status s = CheckLineText("creditor_name", t.creditor_name, 1, 140); !s.ok()) {
      return CheckLineText(at() + ".creditor_name", t.creditor_name, 1, 140);
    }
    if (Status s = CheckAlnum("creditor_account", t.creditor_account, 34); !s.ok()) {
      return CheckAlnum(at() + ".creditor_account", t.creditor_account, 34);
    }
    if (!IsIfsc(t.creditor_ifsc)) return CheckIfsc(at() + ".creditor_ifsc", t.creditor_ifsc);
    if (!checked_any || t.scheme_code != checked_scheme) {
      if (t.scheme_code.empty() || t.scheme_code.size() > 35) {
        return InvalidArgumentError(at() + ".scheme_code: 1 to 35 characters required");
      }
      for (char c : t.scheme_code) {
        if (!IsAlnum(c) && c != '-' && c != '_') {
          return InvalidArgumentError(at() + ".scheme_code: " + Quote(t.scheme_code) +
                                      " may hold only letters, digits, '-' and '_'");
        }
      }
      checked_scheme = t.scheme_code;
    }
    if (!checked_any || t.period != checked_period) {
      Result<Period> period = Period::Parse(t.period);
      if (!period.ok()) {
        return InvalidArgumentError(at() + ".period: " + Quote(t.period) +
                                    " is not a period (2026-11, 2026-Q3 or 2026)");
      }
      checked_period = t.period;
    }
    checked_any = true;
    std::optional<Money> sum = out.totals.control_sum.CheckedAdd(t.amount);
    if (!sum || sum->paise() > kMaxControlSumPaise) {
      return OutOfRangeError(at() + ".amount: the batch's control sum exceeds " +
                             Money::FromPaise(kMaxControlSumPaise).ToString());
    }
    out.totals.control_sum = *sum;
    ++out.totals.transactions;
    debtor_of[i] = checked_debtor_index;
  }
  // The transfers in instruction id order: each id once (neighbours compared; a tree of the
  // file's ids cost more than all the other checks), and the order the files list them in.
  const std::vector<size_t> order = internal::OrderByBytes(
      batch.transfers.size(),
      [&](size_t i) -> std::string_view { return batch.transfers[i].instruction_id; });
  for (size_t k = 1; k < order.size(); ++k) {
    const std::string& id = batch.transfers[order[k]].instruction_id;
    if (id == batch.transfers[order[k - 1]].instruction_id) {
      return InvalidArgumentError("transfers[" + std::to_string(order[k]) +
                                  "].instruction_id: " + Quote(id) +
                                  " appears twice in the batch");
    }
  }
  std::vector<std::vector<const CreditTransfer*>> per_debtor(batch.debtor_accounts.size());
  for (size_t i : order) per_debtor[debtor_of[i]].push_back(&batch.transfers[i]);

  int n = 0;
  for (size_t i = 0; i < batch.debtor_accounts.size(); ++i) {
    if (per_debtor[i].empty()) continue;
    PaymentGroup group;
    group.debtor = &batch.debtor_accounts[i];
    group.payment_information_id = batch.message_id + "-" + std::to_string(++n);
    if (internal::CountCodePoints(group.payment_information_id) > 35) {
      return InvalidArgumentError("message_id: too long to derive payment information id " +
                                  Quote(group.payment_information_id) + " (35 characters at most)");
    }
    group.transfers = std::move(per_debtor[i]);
    for (const CreditTransfer* t : group.transfers) {
      group.totals.control_sum += t->amount;  // within the batch's checked sum
      ++group.totals.transactions;
    }
    out.groups.push_back(std::move(group));
  }
  return out;
}

}  // namespace spode::payments
