// Strict reading of JSON documents written by people (config, slides,
// manifest). Every problem is collected, not just the first, and each names
// the file, the JSON path and what was expected:
//   "content/slides.json: $.slides[2].fr.title: expected a string, got a number"
// Unknown fields are errors too (a typo must not be silently ignored).
//
// Usage: parse with ParseJsonText, then walk objects with ObjectReader and
// call Finish() on each to report the fields nobody asked for.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/status.h"

namespace kiosk {

// Accumulates the problems found in one file.
class JsonErrors {
 public:
  explicit JsonErrors(std::string file) : file_(std::move(file)) {}
  // path is a JSON path such as "$.slides[2].fr"; what says what was wrong.
  void Add(const std::string& path, const std::string& what);
  bool empty() const { return messages_.empty(); }
  const std::vector<std::string>& messages() const { return messages_; }
  const std::string& file() const { return file_; }
  // Status::Invalid with every message, one per line; Ok when empty.
  Status ToStatus() const;

 private:
  std::string file_;
  std::vector<std::string> messages_;
};

// Parses text as JSON (no comments, no trailing commas). On a syntax error,
// the Status names the file, line and column.
Result<nlohmann::json> ParseJsonText(std::string_view text, const std::string& file);

// "a string", "a number", "an object", ... for messages.
std::string JsonTypeName(const nlohmann::json& value);

// Reads the fields of one JSON object. The referenced json must outlive it.
class ObjectReader {
 public:
  // If value is not an object, records an error and every getter returns
  // nullopt/nullptr.
  ObjectReader(JsonErrors& errors, const nlohmann::json& value, std::string path);

  bool is_object() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const;
  bool Has(std::string_view key) const;

  // Each returns nullopt when absent (an error only if required) or of the
  // wrong type (always an error).
  std::optional<std::string> String(std::string_view key, bool required);
  std::optional<int64_t> Integer(std::string_view key, bool required, int64_t min, int64_t max);
  std::optional<double> Number(std::string_view key, bool required, double min, double max);
  std::optional<bool> Bool(std::string_view key, bool required);
  // nullptr when absent or of the wrong type.
  const nlohmann::json* Object(std::string_view key, bool required);
  const nlohmann::json* Array(std::string_view key, bool required);
  // A string that must be one of choices.
  std::optional<std::string> Enum(std::string_view key, bool required,
                                  const std::vector<std::string>& choices);
  // An array of strings.
  std::optional<std::vector<std::string>> StringArray(std::string_view key, bool required);

  // Reports every field of the object that no getter asked for.
  void Finish();

 private:
  const nlohmann::json* Field(std::string_view key, bool required);
  JsonErrors& errors_;
  const nlohmann::json* object_ = nullptr;
  std::string path_;
  std::vector<std::string> seen_;
};

}  // namespace kiosk
