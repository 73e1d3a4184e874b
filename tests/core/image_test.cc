// Slide images: what a unit accepts (from the bytes, before any decoder),
// how slides.json names them, and where the layout puts them.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "fake_measurer.h"
#include "kiosk/core/changed_area.h"
#include "kiosk/core/content.h"
#include "kiosk/core/image_check.h"
#include "kiosk/core/layout.h"
#include "tests/core/update/test_support.h"

namespace kiosk {
namespace {

const std::filesystem::path kImages =
    std::filesystem::path(KIOSK_SOURCE_DIR) / "tests" / "fixtures" / "images";

std::string Fixture(const std::string& name) { return testing::ReadText(kImages / name); }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// slides.json with one slide carrying `image` (a JSON object's text).
std::string SlidesWithImage(const std::string& image) {
  return R"({"format": 1, "name": "t", "contact": {"hotline": "1-800-292-1168",
    "email": "HumanTrafficking@ottawapolice.ca", "label": {"fr": "Aide", "en": "Help"}},
    "slides": [{"id": "poster", "fr": {"title": "Titre", "body": ["Un paragraphe."]},
                "en": {"title": "Title", "body": ["A paragraph."]}, "image": )" +
         image + "}]}";
}

Bundle WithImage(int width, int height) {
  auto b = ParseBundle(SlidesWithImage(R"({"file": "images/red.png",
      "description": {"fr": "Un carré rouge", "en": "A red square"}})"),
                       "slides.json");
  REQUIRE_MESSAGE(b.ok(), b.status().message());
  b->slides[0].image->width = width;
  b->slides[0].image->height = height;
  return *b;
}

bool Overlap(const Rect& a, const Rect& b) {
  return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}

}  // namespace

TEST_CASE("images: PNG and JPEG sizes come from their headers") {
  auto png = InspectImage(Fixture("red-40x20.png"), "images/red.png");
  REQUIRE_MESSAGE(png.ok(), png.status().message());
  CHECK(png->format == ImageFormat::kPng);
  CHECK(png->width == 40);
  CHECK(png->height == 20);
  auto jpeg = InspectImage(Fixture("blue-30x60.jpg"), "images/blue.jpg");
  REQUIRE_MESSAGE(jpeg.ok(), jpeg.status().message());
  CHECK(jpeg->format == ImageFormat::kJpeg);
  CHECK(jpeg->width == 30);
  CHECK(jpeg->height == 60);
}

TEST_CASE("images: a decompression bomb, another format and an oversize file are refused") {
  // A few KB that claim 60000x60000 pixels: refused from the header alone.
  const std::string bomb = Fixture("bomb-60000x60000.png");
  CHECK(bomb.size() < 4096);
  auto big = InspectImage(bomb, "images/bomb.png");
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message() ==
        "images/bomb.png: 60000x60000 pixels (3600.0 Mpx); expected at least 1 and at most 8192 "
        "pixels a side and 16 Mpx in all (decoded, it would need 14400 MB): scale it down");
  // Within each side, over the total.
  std::string wide = Fixture("red-40x20.png");
  wide.replace(16, 8, std::string("\x00\x00\x1F\x40\x00\x00\x0F\xA0", 8));  // 8000x4000
  auto area = InspectImage(wide, "w.png");
  REQUIRE_FALSE(area.ok());
  CHECK(Contains(area.status().message(), "8000x4000 pixels (32.0 Mpx)"));
  // By magic bytes, not by name.
  auto gif = InspectImage(Fixture("not-a-png.png"), "images/photo.png");
  REQUIRE_FALSE(gif.ok());
  CHECK(gif.status().message() ==
        "images/photo.png: a GIF image; expected a PNG or JPEG image (by the file's first bytes, "
        "whatever its name)");
  // One byte over 4 MiB, whatever it holds.
  std::string oversize = Fixture("red-40x20.png");
  oversize.resize(kMaxImageFileBytes + 1, '\0');
  auto heavy = InspectImage(oversize, "images/huge.png");
  REQUIRE_FALSE(heavy.ok());
  CHECK(heavy.status().message() ==
        "images/huge.png: 4194305 bytes; expected an image file of at most 4 MiB (4194304 "
        "bytes): compress or scale it");
  // A PNG cut before its header; a JPEG without a frame header.
  CHECK(Contains(InspectImage(Fixture("red-40x20.png").substr(0, 20), "c.png").status().message(),
                 "c.png: a PNG file without its header (IHDR) chunk first"));
  CHECK(
      Contains(InspectImage(std::string("\xFF\xD8\xFF\xDA\x00\x02", 6), "c.jpg").status().message(),
               "c.jpg: a JPEG file without a frame header (SOF)"));
}

TEST_CASE("content: a slide's image names a bundle file and describes it in each language") {
  auto good = ParseBundle(SlidesWithImage(R"({"file": "images/red.png",
      "description": {"en": "A red square", "fr": "Un carré rouge"}})"),
                          "slides.json");
  REQUIRE_MESSAGE(good.ok(), good.status().message());
  REQUIRE(good->slides[0].image);
  CHECK(good->slides[0].image->file == "images/red.png");
  CHECK(good->slides[0].image->DescriptionFor("fr") == "Un carré rouge");
  CHECK(good->slides[0].image->descriptions.front().first == "en");  // the file's order

  auto missing = ParseBundle(SlidesWithImage(R"({"file": "images/red.png",
      "description": {"fr": "Un carré rouge"}})"),
                             "slides.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() ==
        "slides.json: $.slides[0].image.description: expected a description in \"en\" too (the "
        "slide has \"en\" text)");

  auto bad = ParseBundle(SlidesWithImage(R"({"file": "../secret.png", "alt": "x",
      "description": {"fr": "Un carré rouge", "en": ")" +
                                         std::string(151, 'a') + R"("}})"),
                         "slides.json");
  REQUIRE_FALSE(bad.ok());
  const std::string& m = bad.status().message();
  CHECK(Contains(m,
                 "slides.json: $.slides[0].image.file: expected a file of the bundle such as "
                 "\"images/poster.png\""));
  CHECK(Contains(m, "got \"../secret.png\""));
  CHECK(Contains(m,
                 "$.slides[0].image.description.en: expected a short description (at most 150 "
                 "characters), got 151"));
  CHECK(Contains(m, "$.slides[0].image.alt"));  // unknown field

  auto no_description = ParseBundle(SlidesWithImage(R"({"file": "a.png"})"), "slides.json");
  REQUIRE_FALSE(no_description.ok());
  CHECK(Contains(no_description.status().message(), "$.slides[0].image.description"));
}

TEST_CASE("images: the bundle's files are checked and attached once, naming slide and path") {
  MemoryFileStore store;
  const std::filesystem::path dir = "/bundle";
  REQUIRE(store.MakeDirs(dir / "images").ok());
  Bundle b = WithImage(0, 0);
  // Missing.
  auto problems = CheckImages(b, store, dir);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] ==
        "slide \"poster\": $.slides[0].image.file: /bundle/images/red.png: no such file in the "
        "bundle");
  // A GIF under the name.
  REQUIRE(store.WriteFileAtomic(dir / "images/red.png", Fixture("not-a-png.png")).ok());
  problems = CheckImages(b, store, dir);
  REQUIRE(problems.size() == 1);
  CHECK(Contains(problems[0],
                 "slide \"poster\": $.slides[0].image.file: /bundle/images/red.png: "
                 "a GIF image; expected a PNG or JPEG image"));
  CHECK(AttachImages(b, store, dir).message() == problems[0]);
  CHECK(b.slides[0].image->bytes == nullptr);
  // A good one: its bytes and size are attached.
  const std::string png = Fixture("red-40x20.png");
  REQUIRE(store.WriteFileAtomic(dir / "images/red.png", png).ok());
  CHECK(CheckImages(b, store, dir).empty());
  REQUIRE(AttachImages(b, store, dir).ok());
  REQUIRE(b.slides[0].image->bytes != nullptr);
  CHECK(*b.slides[0].image->bytes == png);
  CHECK(b.slides[0].image->width == 40);
  CHECK(b.slides[0].image->height == 20);
  // From verified bytes, the disk is not read: what is there now does not count.
  REQUIRE(store.WriteFileAtomic(dir / "images/red.png", Fixture("not-a-png.png")).ok());
  std::map<std::string, std::string> verified{{"images/red.png", png}};
  Bundle again = WithImage(0, 0);
  REQUIRE(AttachImages(again, store, dir, &verified).ok());
  CHECK(*again.slides[0].image->bytes == png);
  std::map<std::string, std::string> unlisted;
  CHECK(Contains(AttachImages(again, store, dir, &unlisted).message(),
                 "not a file of the bundle (the manifest does not list it)"));
}

TEST_CASE("layout: the image keeps its aspect in its share, and the text gets the rest") {
  MonospaceMeasurer m;
  for (auto [w, h] : {std::pair{1920, 1080}, {1080, 1920}, {800, 480}, {480, 800}}) {
    for (auto [iw, ih] : {std::pair{40, 20}, {30, 60}, {1000, 1000}}) {
      CAPTURE(w);
      CAPTURE(h);
      CAPTURE(iw);
      CAPTURE(ih);
      Bundle b = WithImage(iw, ih);
      auto frame = LayoutFrame(b, SlideView{}, w, h, m);
      REQUIRE_MESSAGE(frame.ok(), frame.status().message());
      REQUIRE(frame->image);
      const Rect& r = frame->image->rect;
      CHECK(frame->image->file == "images/red.png");
      CHECK(frame->safe_area.Contains(r));
      // Aspect kept to the pixel, and the image fills its share one way.
      CHECK(std::abs(static_cast<double>(r.w) / r.h - static_cast<double>(iw) / ih) <=
            1.0 / std::min(r.w, r.h) * (static_cast<double>(iw) / ih + 1));
      CHECK(std::max(r.w, r.h) > std::min(w, h) / 5);
      for (const auto& t : frame->texts) CHECK_MESSAGE(!Overlap(t.box, r), t.text);
      CHECK_FALSE(Overlap(frame->qr.tile, r));
      // Landscape: beside the text, on the right; portrait: above it.
      for (const auto& t : frame->texts) {
        if (t.text == "Titre") CHECK((w > h ? t.box.right() <= r.x : t.box.y >= r.bottom()));
      }
    }
  }
  // A slide without an image: no image, the whole area for the text.
  Bundle plain = WithImage(40, 20);
  plain.slides[0].image.reset();
  MonospaceMeasurer m2;
  auto frame = LayoutFrame(plain, SlideView{}, 1920, 1080, m2);
  REQUIRE(frame.ok());
  CHECK_FALSE(frame->image);
}

TEST_CASE("a changed image is a changed area; the same image is not") {
  MonospaceMeasurer m;
  Bundle b = WithImage(40, 20);
  auto a = LayoutFrame(b, SlideView{}, 1920, 1080, m);
  auto same = LayoutFrame(b, SlideView{}, 1920, 1080, m);
  REQUIRE(a.ok());
  REQUIRE(same.ok());
  CHECK(ChangedArea(*a, *same) == Rect{});
  FrameLayout other = *same;
  other.image->bytes = std::make_shared<const std::string>("other bytes");
  Rect area = ChangedArea(*a, other);
  CHECK(area.Contains(a->image->rect));
}

}  // namespace kiosk
