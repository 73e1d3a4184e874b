#include "kiosk/core/json_fields.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace kiosk {

TEST_CASE("syntax errors name the file, line and column") {
  auto r = ParseJsonText("{\n  \"a\": 1,\n  \"b\": }\n", "cfg.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("cfg.json: line 3") != std::string::npos);
}

TEST_CASE("wrong types, missing and unknown fields are all reported with their path") {
  auto j = nlohmann::json::parse(R"({"name": 3, "extra": true, "n": 900})");
  JsonErrors errors("x.json");
  ObjectReader r(errors, j, "$");
  CHECK_FALSE(r.String("name", true));
  CHECK_FALSE(r.String("title", true));
  CHECK_FALSE(r.Integer("n", true, 0, 100));
  r.Finish();
  REQUIRE(errors.messages().size() == 4);
  CHECK(errors.messages()[0] == "x.json: $.name: expected a string, got an integer");
  CHECK(errors.messages()[1] == "x.json: $.title: required field is missing");
  CHECK(errors.messages()[2] == "x.json: $.n: expected an integer from 0 to 100, got 900");
  CHECK(errors.messages()[3] == "x.json: $.extra: unknown field");
}

TEST_CASE("enums list the choices") {
  auto j = nlohmann::json::parse(R"({"layout": "sideways"})");
  JsonErrors errors("c.json");
  ObjectReader r(errors, j, "$.display");
  CHECK_FALSE(r.Enum("layout", true, {"bilingual", "alternate"}));
  REQUIRE(errors.messages().size() == 1);
  CHECK(errors.messages()[0] ==
        "c.json: $.display.layout: expected one of \"bilingual\", \"alternate\", got \"sideways\"");
}

}  // namespace kiosk
