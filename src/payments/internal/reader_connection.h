// A second connection for reading beside the writer, shared by the steps that read on another
// thread while their own connection writes (generating instructions, exporting bank files,
// importing status files).
//
// Thread-safety: the connection returned belongs to the caller, to be used by one thread at a
// time.
#ifndef SPODE_PAYMENTS_INTERNAL_READER_CONNECTION_H_
#define SPODE_PAYMENTS_INTERNAL_READER_CONNECTION_H_

#include <memory>

#include "storage/database.h"

namespace spode::payments::internal {

// Another connection to the same SQLite file, to read what is committed on a second thread
// while this one writes (WAL lets readers run beside the writer). Null for PostgreSQL (whose
// description carries no credentials to connect with) and for an in-memory database (another
// connection would be another database): the caller then reads on its own connection.
std::unique_ptr<storage::Database> ReaderConnection(storage::Database& db);

}  // namespace spode::payments::internal

#endif  // SPODE_PAYMENTS_INTERNAL_READER_CONNECTION_H_
