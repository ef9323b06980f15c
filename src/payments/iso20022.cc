#include "payments/iso20022.h"

#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "payments/internal/text.h"
#include "payments/internal/xml_reader.h"

namespace spode::payments {
namespace {

using internal::CheckLineText;
using internal::Quote;
using internal::TrimAscii;
using internal::XmlReader;

// ---------------------------------------------------------------------------------------------
// pain.001 out

class XmlWriter {
 public:
  // One element or closing tag a line, not indented: banks' systems read these files, and
  // indentation was two fifths of a large file's bytes (people read them through a formatter).
  explicit XmlWriter(std::string* out) : out_(*out) {}

  void Open(std::string_view name) { Open(name, {}, {}); }
  // With one attribute when `attribute` is not empty.
  void Open(std::string_view name, std::string_view attribute, std::string_view value) {
    out_ += '<';
    out_ += name;
    if (!attribute.empty()) {
      out_ += ' ';
      out_ += attribute;
      out_ += "=\"";
      internal::AppendXmlEscaped(&out_, value);
      out_ += '"';
    }
    out_ += ">\n";
    open_.push_back(name);
  }
  void Close() {
    std::string_view name = open_.back();
    open_.pop_back();
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void Leaf(std::string_view name, std::string_view text) {
    out_ += '<';
    out_ += name;
    out_ += '>';
    internal::AppendXmlEscaped(&out_, text);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void Leaf(std::string_view name, std::string_view attribute, std::string_view value,
            std::string_view text) {
    out_ += '<';
    out_ += name;
    out_ += ' ';
    out_ += attribute;
    out_ += "=\"";
    internal::AppendXmlEscaped(&out_, value);
    out_ += "\">";
    internal::AppendXmlEscaped(&out_, text);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }

 private:
  std::string& out_;
  std::vector<std::string_view> open_;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// "2026-11-29T12:00:00+05:30" (ISODateTime with the zone's offset; "Z" for UTC).
std::string DateTimeWithOffset(Timestamp t, int offset_minutes) {
  int64_t local = FloorDiv(t.micros, 1'000'000) + int64_t{offset_minutes} * 60;
  int64_t days = FloorDiv(local, 86'400);
  int64_t second_of_day = local - days * 86'400;
  std::string out = Date::FromDays(static_cast<int32_t>(days)).ToString();
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", static_cast<int>(second_of_day / 3600),
                static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
  out += buf;
  if (offset_minutes == 0) return out + "Z";
  int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', magnitude / 60,
                magnitude % 60);
  return out + buf;
}

void WriteAgent(XmlWriter& w, std::string_view element, std::string_view ifsc, IfscStyle style) {
  w.Open(element);
  w.Open("FinInstnId");
  if (style == IfscStyle::kClearingSystemMember) {
    w.Open("ClrSysMmbId");
    w.Open("ClrSysId");
    w.Leaf("Cd", "INFSC");
    w.Close();
    w.Leaf("MmbId", ifsc);
    w.Close();
  } else {
    w.Open("Othr");
    w.Leaf("Id", ifsc);
    w.Open("SchmeNm");
    w.Leaf("Prtry", "IFSC");
    w.Close();
    w.Close();
  }
  w.Close();
  w.Close();
}

// ---------------------------------------------------------------------------------------------
// pain.002 in

enum class Role {
  kDocument,
  kReport,         // CstmrPmtStsRpt
  kGroupHeader,    // GrpHdr
  kOriginalGroup,  // OrgnlGrpInfAndSts
  kPaymentInfo,    // OrgnlPmtInfAndSts
  kTransaction,    // TxInfAndSts
  kReason,         // StsRsnInf
  kReasonChoice,   // StsRsnInf/Rsn
  kLeaf,           // an element whose text is read
  kIgnored,        // an element (and subtree) this reader does not need
  kSupplementary,  // SplmtryData: anything, in any namespace
};

struct Frame {
  Role role;
  std::string local;
  SourcePosition position;
  std::vector<std::pair<std::string, int>> children;  // name → how many so far

  int CountChild(const std::string& name) {
    for (auto& [n, count] : children) {
      if (n == name) return ++count;
    }
    children.emplace_back(name, 1);
    return 1;
  }
};

bool IsRepeatable(std::string_view local) {
  return local == "OrgnlPmtInfAndSts" || local == "TxInfAndSts" || local == "StsRsnInf" ||
         local == "AddtlInf" || local == "SplmtryData";
}

// The leaves read under each role.
bool IsLeafOf(Role parent, std::string_view local) {
  switch (parent) {
    case Role::kGroupHeader:
      return local == "MsgId" || local == "CreDtTm";
    case Role::kOriginalGroup:
      return local == "OrgnlMsgId" || local == "OrgnlMsgNmId" || local == "GrpSts";
    case Role::kPaymentInfo:
      return local == "OrgnlPmtInfId" || local == "PmtInfSts";
    case Role::kTransaction:
      return local == "StsId" || local == "OrgnlInstrId" || local == "OrgnlEndToEndId" ||
             local == "TxSts" || local == "AcctSvcrRef";
    case Role::kReason:
      return local == "AddtlInf";
    case Role::kReasonChoice:
      return local == "Cd" || local == "Prtry";
    default:
      return false;
  }
}

class Pain002Parser {
 public:
  Pain002Parser(std::string_view xml, const Pain002Limits& limits)
      : reader_(xml,
                internal::XmlLimits{.max_bytes = limits.max_bytes, .max_depth = limits.max_depth}),
        limits_(limits) {}

  Result<StatusReport> Parse() {
    for (;;) {
      ASSIGN_OR_RETURN(XmlReader::Token token, reader_.Next());
      if (token == XmlReader::Token::kEnd) break;
      if (token == XmlReader::Token::kStartElement) {
        RETURN_IF_ERROR(OnStart());
      } else {
        RETURN_IF_ERROR(OnEnd());
      }
    }
    return std::move(report_);
  }

 private:
  bool InTransaction() const {
    for (const Frame& f : frames_) {
      if (f.role == Role::kTransaction) return true;
    }
    return false;
  }
  bool InSupplementary() const {
    for (const Frame& f : frames_) {
      if (f.role == Role::kSupplementary) return true;
    }
    return false;
  }

  Status Fatal(const SourcePosition& at, const std::string& message) const {
    return InvalidArgumentError(at.ToString() + ": " + message);
  }
  // Inside a transaction a problem drops that transaction only; elsewhere it refuses the file.
  Status Problem(const SourcePosition& at, const std::string& message) {
    if (!InTransaction()) return Fatal(at, message);
    tx_issues_.push_back({at, message});
    return OkStatus();
  }

  Role ChildRole(const Frame& parent, const std::string& local, const SourcePosition& at,
                 Status* status) {
    switch (parent.role) {
      case Role::kDocument:
        if (local == "CstmrPmtStsRpt") return Role::kReport;
        *status = Fatal(at, "expected CstmrPmtStsRpt in Document, found " + local);
        return Role::kIgnored;
      case Role::kReport: {
        static constexpr std::pair<std::string_view, Role> kOrder[] = {
            {"GrpHdr", Role::kGroupHeader},
            {"OrgnlGrpInfAndSts", Role::kOriginalGroup},
            {"OrgnlPmtInfAndSts", Role::kPaymentInfo},
            {"SplmtryData", Role::kSupplementary}};
        for (int rank = 0; rank < 4; ++rank) {
          if (kOrder[rank].first != local) continue;
          if (rank < report_rank_) {
            *status = Fatal(at, local +
                                    " is out of order in CstmrPmtStsRpt (GrpHdr, "
                                    "OrgnlGrpInfAndSts, OrgnlPmtInfAndSts*, SplmtryData*)");
          }
          report_rank_ = rank;
          return kOrder[rank].second;
        }
        *status = Fatal(at, "unexpected element " + local + " in CstmrPmtStsRpt");
        return Role::kIgnored;
      }
      case Role::kGroupHeader:
      case Role::kOriginalGroup:
      case Role::kPaymentInfo:
      case Role::kTransaction:
      case Role::kReason:
      case Role::kReasonChoice:
        if (IsLeafOf(parent.role, local)) return Role::kLeaf;
        if (local == "StsRsnInf" &&
            (parent.role == Role::kOriginalGroup || parent.role == Role::kPaymentInfo ||
             parent.role == Role::kTransaction)) {
          return Role::kReason;
        }
        if (local == "TxInfAndSts" && parent.role == Role::kPaymentInfo) return Role::kTransaction;
        if (local == "Rsn" && parent.role == Role::kReason) return Role::kReasonChoice;
        if (local == "SplmtryData") return Role::kSupplementary;
        return Role::kIgnored;
      case Role::kLeaf:
        *status = Problem(at, parent.local + " must hold text, not the element " + local);
        return Role::kIgnored;
      case Role::kIgnored:
        return Role::kIgnored;
      case Role::kSupplementary:
        return Role::kSupplementary;
    }
    return Role::kIgnored;
  }

  Status OnStart() {
    const std::string& local = reader_.local();
    internal::XmlPosition p = reader_.position();
    SourcePosition at{p.line, p.column, ""};

    if (frames_.empty()) {
      at.path = "/" + local;
      if (local != "Document") return Fatal(at, "the root element must be Document, not " + local);
      if (reader_.ns() == kPain002V10Namespace) {
        report_.format = "pain.002.001.10";
      } else if (reader_.ns() == kPain002V03Namespace) {
        report_.format = "pain.002.001.03";
      } else {
        return Fatal(at, "namespace " + Quote(reader_.ns()) +
                             " is not a pain.002 this reader "
                             "accepts (" +
                             std::string(kPain002V10Namespace) + " or " +
                             std::string(kPain002V03Namespace) + ")");
      }
      ns_ = reader_.ns();
      frames_.push_back({Role::kDocument, local, at, {}});
      return OkStatus();
    }

    Frame& parent = frames_.back();
    int n = parent.CountChild(local);
    at.path = parent.position.path + "/" + local;
    if (IsRepeatable(local)) at.path += "[" + std::to_string(n) + "]";
    if (!InSupplementary() && local != "SplmtryData" && reader_.ns() != ns_) {
      return Fatal(at, "element " + local + " is in namespace " + Quote(reader_.ns()) +
                           ", not the document's");
    }
    Status status;
    Role role = ChildRole(parent, local, at, &status);
    RETURN_IF_ERROR(status);
    if (role == Role::kLeaf && local != "AddtlInf" && n > 1) {
      RETURN_IF_ERROR(Problem(at, local + " appears more than once in " + parent.local));
    }
    if (parent.role == Role::kReasonChoice && role == Role::kLeaf && parent.children.size() > 1) {
      RETURN_IF_ERROR(Problem(at, "Rsn holds both Cd and Prtry; it is a choice of one"));
    }
    switch (role) {
      case Role::kGroupHeader:
        if (n > 1) return Fatal(at, "GrpHdr appears more than once");
        break;
      case Role::kOriginalGroup:
        if (n > 1) return Fatal(at, "OrgnlGrpInfAndSts appears more than once");
        break;
      case Role::kPaymentInfo:
        payment_ = PaymentInformationStatus{};
        payment_->position = at;
        break;
      case Role::kTransaction:
        tx_ = TransactionStatus{};
        tx_->position = at;
        tx_->original_payment_information_id =
            report_.transactions.Keep(payment_->original_payment_information_id);
        tx_issues_.clear();
        break;
      case Role::kReason:
        reason_ = StatusReason{};
        break;
      default:
        break;
    }
    frames_.push_back({role, local, std::move(at), {}});
    return OkStatus();
  }

  Status OnLeaf(const Frame& leaf, Role parent) {
    const std::string value(TrimAscii(reader_.text()));
    const std::string& name = leaf.local;
    const SourcePosition& at = leaf.position;
    auto text = [&](size_t min, size_t max) -> Status {
      Status s = CheckLineText(name, value, min, max);
      return s.ok() ? s : Problem(at, s.message());
    };
    switch (parent) {
      case Role::kGroupHeader:
        RETURN_IF_ERROR(text(1, 35));
        (name == "MsgId" ? report_.message_id : report_.created_at) = value;
        return OkStatus();
      case Role::kOriginalGroup:
        RETURN_IF_ERROR(text(1, 35));
        if (name == "OrgnlMsgId") {
          report_.original_message_id = value;
        } else if (name == "OrgnlMsgNmId") {
          report_.original_message_name_id = value;
        } else {
          if (!IsKnownGroupStatusCode(value)) {
            return Fatal(at, "GrpSts " + Quote(value) + " is not a known status code");
          }
          report_.group_status = value;
        }
        return OkStatus();
      case Role::kPaymentInfo:
        RETURN_IF_ERROR(text(1, 35));
        if (name == "OrgnlPmtInfId") {
          payment_->original_payment_information_id = value;
        } else {
          if (!IsKnownGroupStatusCode(value)) {
            return Fatal(at, "PmtInfSts " + Quote(value) + " is not a known status code");
          }
          payment_->status_code = value;
        }
        return OkStatus();
      case Role::kTransaction:
        RETURN_IF_ERROR(text(1, 35));
        if (name == "OrgnlEndToEndId") {
          tx_->end_to_end_id = report_.transactions.Keep(value);
        } else if (name == "OrgnlInstrId") {
          tx_->original_instruction_id = report_.transactions.Keep(value);
        } else if (name == "StsId") {
          tx_->status_id = report_.transactions.Keep(value);
        } else if (name == "AcctSvcrRef") {
          tx_->bank_reference = report_.transactions.Keep(value);
        } else {
          std::optional<TransactionOutcome> outcome = OutcomeOfStatusCode(value);
          if (!outcome || value == "RTND") {
            return Problem(at, "TxSts " + Quote(value) + " is not a transaction status code");
          }
          tx_->status_code = report_.transactions.Keep(value);
          tx_->outcome = *outcome;
        }
        return OkStatus();
      case Role::kReason:  // AddtlInf
        RETURN_IF_ERROR(text(1, 1000));
        reason_->additional_info.push_back(value);
        return OkStatus();
      case Role::kReasonChoice:
        if (name == "Cd") {
          bool valid = !value.empty() && value.size() <= 4;
          for (char c : value) valid = valid && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
          if (!valid) {
            return Problem(at, "Rsn/Cd " + Quote(value) +
                                   " is not an ISO reason code (1-4 capital letters or digits)");
          }
          reason_->proprietary = false;
        } else {
          RETURN_IF_ERROR(text(1, 35));
          reason_->proprietary = true;
        }
        reason_->code = value;
        return OkStatus();
      default:
        return OkStatus();
    }
  }

  // Gives `tx` the status of its payment block or group when it has none of its own.
  Status Inherit(TransactionStatus& tx) {
    if (!tx.status_code.empty()) return OkStatus();
    const std::string* code = nullptr;
    const std::vector<StatusReason>* reasons = nullptr;
    std::string level;
    if (!payment_->status_code.empty()) {
      code = &payment_->status_code, reasons = &payment_->reasons, level = "PmtInfSts";
    } else if (!report_.group_status.empty()) {
      code = &report_.group_status, reasons = &report_.group_reasons, level = "GrpSts";
    } else {
      tx_issues_.push_back({tx.position,
                            "no TxSts, and neither the payment block nor the group "
                            "gives a status"});
      return OkStatus();
    }
    std::optional<TransactionOutcome> outcome = OutcomeOfStatusCode(*code);
    if (!outcome) {
      tx_issues_.push_back({tx.position, "no TxSts, and the inherited " + level + " " + *code +
                                             " does not say this transaction's status"});
      return OkStatus();
    }
    tx.status_code = report_.transactions.Keep(*code);
    tx.outcome = *outcome;
    tx.status_inherited = true;
    if (tx.reasons.empty()) tx.reasons = *reasons;
    return OkStatus();
  }

  Status OnEnd() {
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    const Role parent = frames_.empty() ? Role::kDocument : frames_.back().role;
    switch (frame.role) {
      case Role::kLeaf:
        if (reader_.has_children()) return OkStatus();  // reported at the child's start
        return OnLeaf(frame, parent);
      case Role::kGroupHeader:
        if (report_.message_id.empty() || report_.created_at.empty()) {
          return Fatal(frame.position, "GrpHdr needs MsgId and CreDtTm");
        }
        have_group_header_ = true;
        return OkStatus();
      case Role::kOriginalGroup:
        if (report_.original_message_id.empty() || report_.original_message_name_id.empty()) {
          return Fatal(frame.position, "OrgnlGrpInfAndSts needs OrgnlMsgId and OrgnlMsgNmId");
        }
        have_original_group_ = true;
        return OkStatus();
      case Role::kPaymentInfo:
        if (payment_->original_payment_information_id.empty()) {
          return Fatal(frame.position, "OrgnlPmtInfAndSts needs OrgnlPmtInfId");
        }
        report_.payment_informations.push_back(std::move(*payment_));
        payment_.reset();
        return OkStatus();
      case Role::kReason: {
        StatusReason reason = std::move(*reason_);
        reason_.reset();
        if (reason.code.empty() && reason.additional_info.empty()) return OkStatus();
        if (parent == Role::kOriginalGroup) {
          report_.group_reasons.push_back(std::move(reason));
        } else if (parent == Role::kPaymentInfo) {
          payment_->reasons.push_back(std::move(reason));
        } else {
          tx_->reasons.push_back(std::move(reason));
        }
        return OkStatus();
      }
      case Role::kTransaction: {
        TransactionStatus tx = std::move(*tx_);
        tx_.reset();
        if (tx.end_to_end_id.empty() && tx_issues_.empty()) {
          tx_issues_.push_back({tx.position, "TxInfAndSts without OrgnlEndToEndId"});
        }
        if (tx_issues_.empty()) RETURN_IF_ERROR(Inherit(tx));
        if (!tx_issues_.empty()) {
          for (StatusIssue& issue : tx_issues_) {
            if (!tx.end_to_end_id.empty()) {
              issue.message += " (OrgnlEndToEndId " + Quote(tx.end_to_end_id) + ")";
            }
            report_.issues.push_back(std::move(issue));
          }
          tx_issues_.clear();
          return OkStatus();
        }
        if (report_.transactions.size() >= limits_.max_transactions) {
          return ResourceExhaustedError(tx.position.ToString() + ": more than " +
                                        std::to_string(limits_.max_transactions) + " transactions");
        }
        report_.transactions.push_back(std::move(tx));
        return OkStatus();
      }
      case Role::kReport:
        if (!have_group_header_) return Fatal(frame.position, "CstmrPmtStsRpt needs GrpHdr");
        if (!have_original_group_) {
          return Fatal(frame.position, "CstmrPmtStsRpt needs OrgnlGrpInfAndSts");
        }
        have_report_ = true;
        return OkStatus();
      case Role::kDocument:
        if (!have_report_) return Fatal(frame.position, "Document needs CstmrPmtStsRpt");
        return OkStatus();
      default:
        return OkStatus();
    }
  }

  XmlReader reader_;
  Pain002Limits limits_;
  std::string ns_;
  std::vector<Frame> frames_;
  StatusReport report_;
  int report_rank_ = 0;
  bool have_group_header_ = false;
  bool have_original_group_ = false;
  bool have_report_ = false;
  std::optional<PaymentInformationStatus> payment_;
  std::optional<TransactionStatus> tx_;
  std::vector<StatusIssue> tx_issues_;
  std::optional<StatusReason> reason_;
};

}  // namespace

Result<std::string> WritePain001(const CreditTransferBatch& batch) {
  std::string out;
  RETURN_IF_ERROR(WritePain001(batch, &out));
  return out;
}

Status WritePain001(const CreditTransferBatch& batch, std::string* out_ptr,
                    const std::function<Status(std::string_view)>& flush) {
  ASSIGN_OR_RETURN(ValidatedBatch valid, ValidateBatch(batch));
  std::string& out = *out_ptr;
  // What is appended from here on goes to `flush`, a stretch at a time, and is then dropped:
  // the buffer holds a stretch, not the file (a whole file's pages, touched for the first time,
  // cost more than writing them).
  const size_t base = out.size();
  constexpr size_t kStretch = 1 << 20;
  auto flush_from = [&](size_t min_bytes) -> Status {
    if (!flush || out.size() - base < min_bytes) return OkStatus();
    Status s = flush(std::string_view(out).substr(base));
    out.resize(base);
    return s;
  };
  out.reserve(base + (flush ? kStretch + (64 << 10) : 1024 + valid.totals.transactions * 900));
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  XmlWriter b(&out);
  b.Open("Document", "xmlns", kPain001Namespace);
  b.Open("CstmrCdtTrfInitn");
  b.Open("GrpHdr");
  b.Leaf("MsgId", batch.message_id);
  b.Leaf("CreDtTm", DateTimeWithOffset(batch.created_at, batch.utc_offset_minutes));
  b.Leaf("NbOfTxs", std::to_string(valid.totals.transactions));
  b.Leaf("CtrlSum", valid.totals.control_sum.ToPlainString());
  b.Open("InitgPty");
  b.Leaf("Nm", batch.initiating_party_name);
  if (!batch.initiating_party_id.empty()) {
    b.Open("Id");
    b.Open("OrgId");
    b.Open("Othr");
    b.Leaf("Id", batch.initiating_party_id);
    b.Close();
    b.Close();
    b.Close();
  }
  b.Close();  // InitgPty
  b.Close();  // GrpHdr
  // One CdtTrfTxInf, written once by the XmlWriter with a marker (\x01, in no element name or
  // fixed text, and left alone by escaping) for each of its six values, then cut at the
  // markers: every transfer is the same pieces with its escaped values between them, the same
  // bytes the XmlWriter gives, without a string built per element.
  std::vector<std::string> piece;
  {
    std::string one;
    XmlWriter t(&one);
    constexpr std::string_view kMark = "\x01";
    t.Open("CdtTrfTxInf");
    t.Open("PmtId");
    t.Leaf("EndToEndId", kMark);
    t.Close();
    t.Open("Amt");
    t.Leaf("InstdAmt", "Ccy", "INR", kMark);
    t.Close();
    WriteAgent(t, "CdtrAgt", kMark, batch.ifsc_style);
    t.Open("Cdtr");
    t.Leaf("Nm", kMark);
    t.Close();
    t.Open("CdtrAcct");
    t.Open("Id");
    t.Open("Othr");
    t.Leaf("Id", kMark);
    t.Close();
    t.Close();
    t.Close();
    t.Open("RmtInf");
    t.Leaf("Ustrd", kMark);
    t.Close();
    t.Close();  // CdtTrfTxInf
    size_t from = 0;
    for (size_t at = one.find(kMark); at != std::string::npos; at = one.find(kMark, from)) {
      piece.push_back(one.substr(from, at - from));
      from = at + kMark.size();
    }
    piece.push_back(one.substr(from));
    if (piece.size() != 7) return InternalError("pain.001 transfer template");
  }
  for (const PaymentGroup& group : valid.groups) {
    const DebtorAccount& debtor = *group.debtor;
    b.Open("PmtInf");
    b.Leaf("PmtInfId", group.payment_information_id);
    b.Leaf("PmtMtd", "TRF");
    b.Leaf("NbOfTxs", std::to_string(group.totals.transactions));
    b.Leaf("CtrlSum", group.totals.control_sum.ToPlainString());
    b.Open("ReqdExctnDt");
    b.Leaf("Dt", batch.requested_execution_date.ToString());
    b.Close();
    b.Open("Dbtr");
    b.Leaf("Nm", debtor.name);
    b.Close();
    b.Open("DbtrAcct");
    b.Open("Id");
    if (!debtor.iban.empty()) {
      b.Leaf("IBAN", debtor.iban);
    } else {
      b.Open("Othr");
      b.Leaf("Id", debtor.account_number);
      b.Close();
    }
    b.Close();  // Id
    b.Close();  // DbtrAcct
    WriteAgent(b, "DbtrAgt", debtor.ifsc, batch.ifsc_style);
    for (const CreditTransfer* t : group.transfers) {
      // The template's pieces with this transfer's values between them, escaped.
      out += piece[0];
      internal::AppendXmlEscaped(&out, t->instruction_id);
      out += piece[1];
      internal::AppendXmlEscaped(&out, t->amount.ToPlainString());
      out += piece[2];
      internal::AppendXmlEscaped(&out, t->creditor_ifsc);
      out += piece[3];
      internal::AppendXmlEscaped(&out, t->creditor_name);
      out += piece[4];
      internal::AppendXmlEscaped(&out, t->creditor_account);
      out += piece[5];
      internal::AppendXmlEscaped(&out, RemittanceInformation(*t));
      out += piece[6];
      RETURN_IF_ERROR(flush_from(kStretch));
    }
    b.Close();  // PmtInf
  }
  b.Close();  // CstmrCdtTrfInitn
  b.Close();  // Document
  return flush_from(1);
}

Result<StatusReport> ParsePain002(std::string_view xml, const Pain002Limits& limits) {
  Pain002Parser parser(xml, limits);
  return parser.Parse();
}

}  // namespace spode::payments
