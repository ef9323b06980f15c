#include "storage/postgres/postgres_database.h"

namespace spode::storage {

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const OpenOptions&) {
  return UnimplementedError("PostgreSQL backend not built yet: " + url.substr(0, 13));
}

}  // namespace spode::storage
