#include "kiosk/core/language.h"

#include <doctest/doctest.h>

namespace kiosk {

TEST_CASE("language tags: 2-3 lowercase letters, then subtags of 2-8 letters or digits") {
  for (const char* good :
       {"fr", "en", "iu", "ckb", "fr-CA", "sr-Latn", "zh-Hant-TW", "es-419", "iu-Latn-CA"}) {
    CAPTURE(good);
    CHECK(IsLanguageTag(good));
  }
  for (const char* bad : {"", "f", "FR", "Fr", "abcd", "fr-", "-fr", "fr--CA", "fr-C",
                          "fr-abcdefghi", "fr_CA", "fr CA", "fr-C@", "français"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsLanguageTag(bad));
  }
}

TEST_CASE("right-to-left languages, and scripts that say otherwise") {
  for (const char* rtl :
       {"ar",         "fa",      "he",      "ur",    "yi",       "ps",     "sd",
        "ckb",        "dv",      "ug",      "ar-EG", "fa-IR",    "he-IL",  "pa-Arab",
        "az-Arab-IR", "ku-arab", "en-Hebr", "syr",   "arc-Syrc", "ks-Arab"}) {
    CAPTURE(rtl);
    CHECK(IsRightToLeft(rtl));
  }
  for (const char* ltr : {"fr", "en", "iu", "fr-CA", "sr-Latn", "ug-Cyrl", "sd-Deva", "ar-Latn",
                          "uz-Cyrl", "tg", "ku", "pa", "ur-Latn", "he-Latn-IL", "AR", "a"}) {
    CAPTURE(ltr);
    CHECK_FALSE(IsRightToLeft(ltr));
  }
}

}  // namespace kiosk
