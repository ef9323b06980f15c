// Test helpers shared by the payments tests: test data files and a small sample batch.
#ifndef SPODE_PAYMENTS_TESTING_FIXTURES_H_
#define SPODE_PAYMENTS_TESTING_FIXTURES_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "payments/bank_file.h"

namespace spode::payments::testing {

// src/payments/testdata/<name>, found through SPODE_SOURCE_DIR (set by ctest) or this file.
inline std::filesystem::path TestDataPath(std::string_view name) {
  if (const char* source = std::getenv("SPODE_SOURCE_DIR"); source != nullptr && *source) {
    return std::filesystem::path(source) / "src/payments/testdata" / name;
  }
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "testdata" / name;
}

inline std::string ReadTestData(std::string_view name) {
  std::ifstream in(TestDataPath(name), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Two debtor accounts (old-age and widow pension), three transfers; the second creditor's
// name holds all five characters XML escapes, the third is in Devanagari. Totals: 3 transfers,
// Rs 3,500.50; the old-age account pays two (Rs 2,000.50), the widow pension one (Rs 1,500.00).
inline CreditTransferBatch SmallBatch() {
  CreditTransferBatch batch;
  batch.message_id = "SPODE-RJ-202611-0001";
  batch.created_at = *Timestamp::Parse("2026-11-29T06:30:00Z");  // 12:00 IST
  batch.initiating_party_name = "Social Justice & Empowerment Department, Rajasthan";
  batch.initiating_party_id = "RJ-SJED";
  batch.requested_execution_date = *Date::Parse("2026-12-01");
  batch.debtor_accounts = {
      {.id = "oap",
       .name = "Director, SJED (Old-age pension)",
       .account_number = "30001234567",
       .ifsc = "SBIN0000691"},
      {.id = "wp",
       .name = "Director, SJED (Widow pension)",
       .account_number = "00000041234567890",
       .ifsc = "BARB0JAIPUR"},
  };
  batch.transfers = {
      {.instruction_id = "OAP-202611-7000000001",
       .debtor_account_id = "oap",
       .amount = Money::FromRupees(1000),
       .creditor_name = "Sunita Devi",
       .creditor_account = "12345678901",
       .creditor_ifsc = "SBIN0001234",
       .scheme_code = "RJOAP",
       .period = "2026-11"},
      {.instruction_id = "WP-202611-7000000002",
       .debtor_account_id = "wp",
       .amount = Money::FromRupees(1500),
       .creditor_name = "Kamla \"Bai\" <Meena> & 'Sons'",
       .creditor_account = "50100012345678",
       .creditor_ifsc = "HDFC0000123",
       .scheme_code = "RJWP",
       .period = "2026-11"},
      {.instruction_id = "OAP-202611-7000000003",
       .debtor_account_id = "oap",
       .amount = Money::FromPaise(100050),
       .creditor_name = "रामेश्वर लाल",
       .creditor_account = "3412009876",
       .creditor_ifsc = "PUNB0123400",
       .scheme_code = "RJOAP",
       .period = "2026-11"},
  };
  return batch;
}

}  // namespace spode::payments::testing

#endif  // SPODE_PAYMENTS_TESTING_FIXTURES_H_
