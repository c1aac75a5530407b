#include "telemetry/log_field.h"

#include <utility>

namespace klio::log {

std::string StatusFieldText(const Status& status) { return status.ToString(); }

OwnedField::OwnedField(const Field& field) : key_(field.key()), type_(field.type()), i_(0) {
  switch (field.type()) {
    case Field::Type::kString: str_ = std::string(field.string_value()); break;
    case Field::Type::kInt: i_ = field.int_value(); break;
    case Field::Type::kUint: u_ = field.uint_value(); break;
    case Field::Type::kDouble: d_ = field.double_value(); break;
    case Field::Type::kBool: b_ = field.bool_value(); break;
    case Field::Type::kStatus:
      type_ = Field::Type::kString;
      str_ = StatusFieldText(*field.status_value());
      break;
  }
}

Field OwnedField::view() const {
  switch (type_) {
    case Field::Type::kInt: return Field(key_, i_);
    case Field::Type::kUint: return Field(key_, u_);
    case Field::Type::kDouble: return Field(key_, d_);
    case Field::Type::kBool: return Field(key_, b_);
    case Field::Type::kString:
    case Field::Type::kStatus: break;
  }
  return Field(key_, std::string_view(str_));
}

void OwnedField::SetString(std::string value) {
  type_ = Field::Type::kString;
  str_ = std::move(value);
}

}  // namespace klio::log
