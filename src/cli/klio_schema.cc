#include "cli/klio_schema.h"

#include "cli/log_config.h"

namespace klio::cli {

Result<Schema> KlioSchema() {
  Schema schema;
  KLIO_RETURN_IF_ERROR(schema.Add(LogConfigKeys()));
  return schema;
}

}  // namespace klio::cli
