#include "storage/value.h"

#include <cstring>

namespace spode::storage {

RowBuffer& RowBuffer::Double(double v) {
  int64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  cells_.push_back({Kind::kDouble, 0, bits});
  return *this;
}

double RowBuffer::AsDouble(const Cell& c) const {
  double v;
  std::memcpy(&v, &c.number, sizeof v);
  return v;
}

RowBuffer& RowBuffer::Add(const Value& v) {
  struct Visitor {
    RowBuffer* b;
    void operator()(const storage::Null&) { b->Null(); }
    void operator()(int64_t i) { b->Int(i); }
    void operator()(double d) { b->Double(d); }
    void operator()(const std::string& s) { b->Text(s); }
    void operator()(const Blob& bl) { b->BlobBytes(bl.bytes); }
  };
  std::visit(Visitor{this}, v);
  return *this;
}

}  // namespace spode::storage
