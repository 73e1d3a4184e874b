#include "kiosk/core/json_fields.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace kiosk {

void JsonErrors::Add(const std::string& path, const std::string& what) {
  messages_.push_back(file_ + ": " + path + ": " + what);
}

Status JsonErrors::ToStatus() const {
  if (messages_.empty()) return Status::Ok();
  std::string all;
  for (const auto& m : messages_) {
    if (!all.empty()) all += '\n';
    all += m;
  }
  return Status::Invalid(all);
}

Result<nlohmann::json> ParseJsonText(std::string_view text, const std::string& file) {
  try {
    return nlohmann::json::parse(text.begin(), text.end(), /*cb=*/nullptr,
                                 /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const nlohmann::json::parse_error& e) {
    // Convert the byte offset into line:column for people.
    size_t line = 1, column = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    // nlohmann's message repeats the position; keep the part after "error".
    auto pos = what.find("syntax error");
    if (pos != std::string::npos) what = what.substr(pos);
    return Status::Invalid(file + ": line " + std::to_string(line) + ", column " +
                           std::to_string(column) + ": not valid JSON (" + what + ")");
  } catch (const nlohmann::json::exception& e) {
    // Found by the fuzzer: a number out of range ("1e400") throws
    // out_of_range, not parse_error.
    return Status::Invalid(file + ": not valid JSON (" + e.what() + ")");
  }
}

std::string JsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    default:
      return "a value of another kind";
  }
}

ObjectReader::ObjectReader(JsonErrors& errors, const nlohmann::json& value, std::string path)
    : errors_(errors), path_(std::move(path)) {
  if (value.is_object()) {
    object_ = &value;
  } else {
    errors_.Add(path_, "expected an object, got " + JsonTypeName(value));
  }
}

std::string ObjectReader::PathOf(std::string_view key) const {
  return path_ + "." + std::string(key);
}

bool ObjectReader::Has(std::string_view key) const {
  return object_ != nullptr && object_->contains(key);
}

const nlohmann::json* ObjectReader::Field(std::string_view key, bool required) {
  if (object_ == nullptr) return nullptr;
  seen_.emplace_back(key);
  auto it = object_->find(key);
  if (it == object_->end()) {
    if (required) errors_.Add(PathOf(key), "required field is missing");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> ObjectReader::String(std::string_view key, bool required) {
  const auto* f = Field(key, required);
  if (f == nullptr) return std::nullopt;
  if (!f->is_string()) {
    errors_.Add(PathOf(key), "expected a string, got " + JsonTypeName(*f));
    return std::nullopt;
  }
  return f->get<std::string>();
}

std::optional<int64_t> ObjectReader::Integer(std::string_view key, bool required, int64_t min,
                                             int64_t max) {
  const auto* f = Field(key, required);
  if (f == nullptr) return std::nullopt;
  if (!f->is_number_integer()) {
    errors_.Add(PathOf(key), "expected an integer, got " + JsonTypeName(*f));
    return std::nullopt;
  }
  // Unsigned values above int64 max are out of range too.
  if (f->is_number_unsigned() && f->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    errors_.Add(PathOf(key), "expected an integer from " + std::to_string(min) + " to " +
                                 std::to_string(max) + ", got " + f->dump());
    return std::nullopt;
  }
  int64_t v = f->get<int64_t>();
  if (v < min || v > max) {
    errors_.Add(PathOf(key), "expected an integer from " + std::to_string(min) + " to " +
                                 std::to_string(max) + ", got " + std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::optional<double> ObjectReader::Number(std::string_view key, bool required, double min,
                                           double max) {
  const auto* f = Field(key, required);
  if (f == nullptr) return std::nullopt;
  if (!f->is_number()) {
    errors_.Add(PathOf(key), "expected a number, got " + JsonTypeName(*f));
    return std::nullopt;
  }
  double v = f->get<double>();
  if (!(v >= min && v <= max)) {
    errors_.Add(PathOf(key), "expected a number from " + nlohmann::json(min).dump() + " to " +
                                 nlohmann::json(max).dump() + ", got " + f->dump());
    return std::nullopt;
  }
  return v;
}

std::optional<bool> ObjectReader::Bool(std::string_view key, bool required) {
  const auto* f = Field(key, required);
  if (f == nullptr) return std::nullopt;
  if (!f->is_boolean()) {
    errors_.Add(PathOf(key), "expected true or false, got " + JsonTypeName(*f));
    return std::nullopt;
  }
  return f->get<bool>();
}

const nlohmann::json* ObjectReader::Object(std::string_view key, bool required) {
  const auto* f = Field(key, required);
  if (f == nullptr) return nullptr;
  if (!f->is_object()) {
    errors_.Add(PathOf(key), "expected an object, got " + JsonTypeName(*f));
    return nullptr;
  }
  return f;
}

const nlohmann::json* ObjectReader::Array(std::string_view key, bool required) {
  const auto* f = Field(key, required);
  if (f == nullptr) return nullptr;
  if (!f->is_array()) {
    errors_.Add(PathOf(key), "expected an array, got " + JsonTypeName(*f));
    return nullptr;
  }
  return f;
}

std::optional<std::string> ObjectReader::Enum(std::string_view key, bool required,
                                              const std::vector<std::string>& choices) {
  auto v = String(key, required);
  if (!v) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *v) == choices.end()) {
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
    errors_.Add(PathOf(key), "expected one of " + list + ", got \"" + *v + "\"");
    return std::nullopt;
  }
  return v;
}

std::optional<std::vector<std::string>> ObjectReader::StringArray(std::string_view key,
                                                                  bool required) {
  const auto* f = Array(key, required);
  if (f == nullptr) return std::nullopt;
  std::vector<std::string> out;
  bool good = true;
  for (size_t i = 0; i < f->size(); ++i) {
    const auto& item = (*f)[i];
    if (!item.is_string()) {
      errors_.Add(PathOf(key) + "[" + std::to_string(i) + "]",
                  "expected a string, got " + JsonTypeName(item));
      good = false;
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  if (!good) return std::nullopt;
  return out;
}

void ObjectReader::Finish() {
  if (object_ == nullptr) return;
  for (auto it = object_->begin(); it != object_->end(); ++it) {
    if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end()) {
      errors_.Add(PathOf(it.key()), "unknown field");
    }
  }
}

}  // namespace kiosk
