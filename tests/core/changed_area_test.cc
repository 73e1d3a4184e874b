#include "kiosk/core/changed_area.h"

#include <doctest/doctest.h>

#include "fake_measurer.h"

namespace kiosk {
namespace {

Bundle TwoSlides(const std::string& second_title) {
  Bundle b;
  b.contact = Contact{
      "1-800-292-1168", "HumanTrafficking@ottawapolice.ca", {{"fr", "Aide"}, {"en", "Help"}}};
  Slide s;
  s.id = "one";
  s.SetText("fr", SlideText{"Titre", {"Un paragraphe."}});
  s.SetText("en", SlideText{"Title", {"A paragraph."}});
  s.duration = Millis(10'000);
  b.slides.push_back(s);
  s.id = "two";
  s.text("fr")->title = second_title;
  s.text("en")->title = second_title;
  b.slides.push_back(s);
  return b;
}

FrameLayout Frame(int w, int h) {
  FrameLayout f;
  f.width = w;
  f.height = h;
  f.background = Color{10, 20, 30};
  f.boxes.push_back(PlacedBox{Rect{0, 900, w, h - 900}, Color{255, 213, 74}});
  f.texts.push_back(
      PlacedText{"1-800-292-1168", FontFace::kBold, 90, Color{}, Rect{100, 920, 800, 110}});
  f.texts.push_back(
      PlacedText{"Title", FontFace::kBold, 60, Color{255, 255, 255}, Rect{100, 100, 300, 75}});
  f.texts.push_back(
      PlacedText{"Body", FontFace::kRegular, 40, Color{255, 255, 255}, Rect{100, 200, 200, 50}});
  return f;
}

bool Inside(const Rect& outer, const Rect& inner) { return outer.Contains(inner); }

}  // namespace

TEST_CASE("identical frames differ nowhere") {
  FrameLayout a = Frame(1920, 1080);
  Rect area = ChangedArea(a, a);
  CHECK((area.w == 0 || area.h == 0));
}

TEST_CASE("one changed line: only its box, not the band") {
  FrameLayout a = Frame(1920, 1080), b = Frame(1920, 1080);
  b.texts[2].text = "Other body";
  b.texts[2].box.w = 400;
  CHECK(ChangedArea(a, b) == Rect{100, 200, 400, 50});
  CHECK(ChangedArea(b, a) == Rect{100, 200, 400, 50});
}

TEST_CASE("a line only one frame has counts, and so do both of two moved lines") {
  FrameLayout a = Frame(1920, 1080), b = Frame(1920, 1080);
  b.texts.push_back(
      PlacedText{"More", FontFace::kRegular, 40, Color{255, 255, 255}, Rect{100, 300, 150, 50}});
  CHECK(ChangedArea(a, b) == Rect{100, 300, 150, 50});
  FrameLayout c = Frame(1920, 1080);
  c.texts[1].box.y = 120;  // the title moved down by 20 px
  CHECK(ChangedArea(a, c) == Rect{100, 100, 300, 95});
}

TEST_CASE("a different background, size or order of shared parts changes the whole frame") {
  FrameLayout a = Frame(1920, 1080);
  FrameLayout b = a;
  b.background = Color{0, 0, 0};
  CHECK(ChangedArea(a, b) == Rect{0, 0, 1920, 1080});
  FrameLayout c = Frame(1280, 720);
  CHECK(ChangedArea(a, c) == Rect{0, 0, 1920, 1080});
  FrameLayout d = a;
  std::swap(d.texts[1], d.texts[2]);  // same lines, drawn in another order
  CHECK(ChangedArea(a, d) == Rect{0, 0, 1920, 1080});
}

TEST_CASE("a changed box or QR code counts; an empty line still covers one pixel") {
  FrameLayout a = Frame(1920, 1080), b = Frame(1920, 1080);
  b.boxes.push_back(PlacedBox{Rect{50, 50, 10, 10}, Color{1, 2, 3}});
  CHECK(ChangedArea(a, b) == Rect{50, 50, 10, 10});
  FrameLayout c = Frame(1920, 1080);
  c.qr.tile = Rect{1500, 700, 200, 200};
  c.qr.module_px = 8;
  CHECK(ChangedArea(a, c) == Rect{1500, 700, 200, 200});  // a has no tile (empty)
  FrameLayout d = Frame(1920, 1080);
  d.texts.push_back(PlacedText{"", FontFace::kRegular, 40, Color{}, Rect{700, 10, 0, 50}});
  CHECK(ChangedArea(a, d) == Rect{700, 10, 1, 50});
}

TEST_CASE("laid-out slides with the same band differ only above it") {
  MonospaceMeasurer m;
  Bundle bundle = TwoSlides("Another title");
  auto a = LayoutFrame(bundle, SlideView{0}, 1920, 1080, m);
  auto b = LayoutFrame(bundle, SlideView{1}, 1920, 1080, m);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  Rect area = ChangedArea(*a, *b);
  REQUIRE(area.w > 0);
  REQUIRE(area.h > 0);
  CHECK(Inside(Rect{0, 0, 1920, 1080}, area));
  // Every line of the band (the hotline and the e-mail) is outside it.
  for (const auto& t : a->texts) {
    if (t.text == bundle.contact.hotline || t.text == bundle.contact.email) {
      CHECK(area.bottom() <= t.box.y);
    }
  }
  CHECK(!Inside(area, a->qr.tile));
  CHECK(area.w * area.h < 1920 * 1080);
}

}  // namespace kiosk
