#include "kiosk/core/status.h"

namespace kiosk {
namespace {
const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kInvalid:
      return "invalid";
    case Status::Code::kNotFound:
      return "not found";
    case Status::Code::kIo:
      return "i/o error";
    case Status::Code::kNetwork:
      return "network error";
    case Status::Code::kUnverified:
      return "not verified";
    case Status::Code::kRejected:
      return "rejected";
    case Status::Code::kInternal:
      return "internal error";
  }
  return "unknown";
}
}  // namespace

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace kiosk
