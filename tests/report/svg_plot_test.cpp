#include "report/svg_plot.h"

#include <gtest/gtest.h>

#include <cmath>

#include "report/xml.h"
#include "report/xml_check.h"

namespace pelnas::report {
namespace {

namespace xml = pelnas::test::xml;

SvgPlot known_plot() {
  SvgPlot p;
  p.id = "t";
  p.title = "acc <vs> cost & \"more\"";
  p.width = 600;
  p.height = 400;
  p.margin_left = 50;
  p.margin_right = 50;
  p.margin_top = 50;
  p.margin_bottom = 50;
  p.x = {"latency", "ms", false, 0.0, 10.0};
  p.y = {"accuracy", "%", false, 0.0, 100.0};
  SvgSeries s;
  s.kind = SeriesKind::Scatter;
  s.css_class = "pts";
  s.points = {{0, 0, "a<b", {{"data-i", "0"}}}, {10, 100, "", {{"data-i", "1"}}}, {2.5, 50, "x&y", {{"data-i", "2"}}}};
  p.series.push_back(s);
  return p;
}

TEST(SvgPlot, IsWellFormedXmlAndEscapesText) {
  SvgPlot p = known_plot();
  const std::string svg = p.render();
  auto root = xml::parse(svg);
  EXPECT_EQ(root->name, "svg");
  EXPECT_EQ(root->attr("xmlns"), "http://www.w3.org/2000/svg");
  auto titles = root->find_all([](const xml::Node& n) { return n.name == "title"; });
  ASSERT_FALSE(titles.empty());
  EXPECT_EQ(titles[0]->text, "acc <vs> cost & \"more\"");
  auto tips = root->find_all([](const xml::Node& n) { return n.name == "title" && n.text == "a<b"; });
  EXPECT_EQ(tips.size(), 1u);
  // Axis labels carry units.
  auto xl = root->find_all([](const xml::Node& n) { return n.has_class("xlabel"); });
  ASSERT_EQ(xl.size(), 1u);
  EXPECT_EQ(xl[0]->text, "latency (ms)");
}

TEST(SvgPlot, PointsAreAtTheExpectedPixels) {
  SvgPlot p = known_plot();
  auto root = xml::parse(p.render());
  auto circles = root->find_all([](const xml::Node& n) { return n.name == "circle" && !n.attr("data-i").empty(); });
  ASSERT_EQ(circles.size(), 3u);
  // Plot area: x in [50, 550], y in [50, 350] (no legend: the series has no name).
  const double expect[3][2] = {{50, 350}, {550, 50}, {50 + 0.25 * 500, 350 - 0.5 * 300}};
  for (auto* c : circles) {
    int i = std::stoi(c->attr("data-i"));
    EXPECT_NEAR(std::stod(c->attr("cx")), expect[i][0], 0.006) << i;
    EXPECT_NEAR(std::stod(c->attr("cy")), expect[i][1], 0.006) << i;
  }
}

TEST(SvgPlot, LogAxisPlacesDecadesEvenlyAndDropsNonPositive) {
  SvgPlot p;
  p.margin_left = p.margin_right = p.margin_top = p.margin_bottom = 0;
  p.width = 300;
  p.height = 100;
  p.x = {"flops", "M", true, 1.0, 1000.0};
  p.y = {"y", "", false, 0.0, 1.0};
  SvgSeries s;
  s.points = {{1, 0.5, "", {{"data-i", "0"}}}, {10, 0.5, "", {{"data-i", "1"}}}, {100, 0.5, "", {{"data-i", "2"}}},
              {0, 0.5, "", {{"data-i", "3"}}}, {-5, 0.5, "", {{"data-i", "4"}}}};
  p.series.push_back(s);
  auto root = xml::parse(p.render());
  auto circles = root->find_all([](const xml::Node& n) { return n.name == "circle" && !n.attr("data-i").empty(); });
  ASSERT_EQ(circles.size(), 3u);
  for (auto* c : circles) EXPECT_NEAR(std::stod(c->attr("cx")), 100.0 * std::stoi(c->attr("data-i")), 0.006);
  // Tick labels are the decades 1, 10, 100, 1000 (less than 3 decades would add 2 and 5).
  auto ticks = root->find_all([](const xml::Node& n) { return n.has_class("xtick"); });
  std::vector<std::string> labels;
  for (auto* t : ticks) labels.push_back(t->text);
  EXPECT_EQ(labels, (std::vector<std::string>{"1", "10", "100", "1000"}));
}

TEST(SvgPlot, AutoRangeContainsAllDataAndTicksAreNice) {
  SvgPlot p;
  SvgSeries line;
  line.kind = SeriesKind::Line;
  line.name = "hv";
  for (int i = 0; i <= 30; ++i) line.points.push_back({i * 10.0, 0.5 + i / 60.0, "", {}});
  line.points[15].y = std::nan("");  // breaks the line in two
  SvgSeries band;
  band.kind = SeriesKind::Band;
  band.name = "spread";
  band.band_x = {0, 300};
  band.band_low = {0.4, 0.9};
  band.band_high = {0.6, 1.05};
  p.series = {band, line};
  const auto f = p.frame();
  EXPECT_LE(f.xmin, 0);
  EXPECT_GE(f.xmax, 300);
  EXPECT_LE(f.ymin, 0.4);
  EXPECT_GE(f.ymax, 1.05);
  auto root = xml::parse(p.render());
  auto polylines = root->find_all([](const xml::Node& n) { return n.name == "polyline"; });
  EXPECT_EQ(polylines.size(), 2u);
  auto legend = root->find_all([](const xml::Node& n) { return n.has_class("legend"); });
  ASSERT_EQ(legend.size(), 1u);
  std::vector<std::string> names;
  for (auto* t : legend[0]->find_all([](const xml::Node& n) { return n.name == "text"; })) names.push_back(t->text);
  EXPECT_EQ(names, (std::vector<std::string>{"spread", "hv"}));
  for (double t : nice_ticks(0, 300, 6, false)) EXPECT_DOUBLE_EQ(std::fmod(t, 50.0), 0.0) << t;
  EXPECT_EQ(nice_ticks(0, 1, 5, false), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
}

TEST(SvgPlot, OutputIsDeterministic) {
  SvgPlot p = known_plot();
  SvgSeries dots;
  dots.kind = SeriesKind::Dots;
  for (int i = 0; i < 1000; ++i) dots.points.push_back({(i % 37) * 0.27, (i % 53) * 1.9, "", {}});
  p.series.push_back(dots);
  EXPECT_EQ(p.render(), p.render());
  auto root = xml::parse(p.render());
  auto paths = root->find_all([](const xml::Node& n) { return n.name == "path"; });
  ASSERT_EQ(paths.size(), 1u);
  // Coincident pixels are drawn once: at most 37 * 53 distinct positions, here exactly 1000
  // distinct (i % 37, i % 53) pairs since 37 * 53 > 1000 and the CRT makes them distinct.
  const std::string d = paths[0]->attr("d");
  EXPECT_EQ(std::count(d.begin(), d.end(), 'M'), 1000);
}

TEST(Xml, EscapeAndNumbers) {
  EXPECT_EQ(xml_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(xml_escape(std::string("a\x01z")), "a\xEF\xBF\xBDz");
  EXPECT_EQ(format_number(94.37333333, 6), "94.3733");
  EXPECT_EQ(format_number(0.1 + 0.2, 6), "0.3");
  EXPECT_EQ(format_fixed(-0.0001, 2), "0.00");
  EXPECT_EQ(format_number(std::nan("")), "nan");
}

TEST(SvgPlot, PaletteIsOkabeItoInAFixedOrder) {
  const std::vector<std::string> want = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"};
  ASSERT_EQ(palette_size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(palette_colour(i), want[i]);
  EXPECT_EQ(palette_colour(7), want[0]);  // cyclic, and the repeat gets a dash pattern
  EXPECT_EQ(palette_dash(0), "");
  EXPECT_NE(palette_dash(7), "");
}

// Every legend text's estimated box lies inside the picture and outside the plot area.
void expect_legend_inside(const SvgPlot& p) {
  auto root = xml::parse(p.render());
  const double W = std::stod(root->attr("width")), H = std::stod(root->attr("height"));
  EXPECT_EQ(root->attr("viewBox"), "0 0 " + root->attr("width") + " " + root->attr("height"));
  const auto f = p.frame();
  auto legend = root->find_all([](const xml::Node& n) { return n.has_class("legend"); });
  ASSERT_EQ(legend.size(), 1u);
  auto texts = legend[0]->find_all([](const xml::Node& n) { return n.name == "text"; });
  ASSERT_EQ(texts.size(), p.series.size());
  for (auto* t : texts) {
    const double x = std::stod(t->attr("x")), y = std::stod(t->attr("y"));
    const double w = estimated_text_width(t->text, 11);
    EXPECT_LE(x + w, W) << t->text;
    EXPECT_LE(y + 3, H) << t->text;
    EXPECT_GE(y - 11, 0) << t->text;
    const bool overlaps_area = x < f.x1 && x + w > f.x0 && y > f.y0 && y - 11 < f.y1;
    EXPECT_FALSE(overlaps_area) << t->text;
  }
}

TEST(SvgPlot, LegendNeverClips) {
  SvgPlot p;
  p.x = {"evaluations", ""};
  p.y = {"HV ratio", ""};
  auto add = [&](const std::string& name) {
    SvgSeries s;
    s.kind = SeriesKind::Line;
    s.name = name;
    s.points = {{0, 0, "", {}}, {1, 1, "", {}}};
    p.series.push_back(s);
  };
  add("random");
  add("rea");
  expect_legend_inside(p);
  EXPECT_FALSE(p.legend_layout().below);
  // The label the bench legend used to cut ("random (3 seeds; band: min-ma"), and longer ones.
  add("random (3 seeds; band: min-max over seeds)");
  add("pelnas:no_partition=true:generations=5 (10 seeds; band: min-max)");
  expect_legend_inside(p);
  EXPECT_TRUE(p.legend_layout().below);
  EXPECT_GT(p.total_height(), p.height);
  // Many entries do not fit the right margin's height either.
  SvgPlot q = p;
  q.series.resize(2);
  for (int i = 0; i < 30; ++i) {
    q.series.push_back(q.series[0]);
    q.series.back().name = "run " + std::to_string(i);
  }
  expect_legend_inside(q);
  EXPECT_TRUE(q.legend_layout().below);
}

TEST(SvgPlot, HollowMarkersLeaveWhatIsBelowVisible) {
  SvgPlot p = known_plot();
  p.series[0].hollow = true;
  p.series[0].colour = "#0072B2";
  auto root = xml::parse(p.render());
  auto g = root->find_all([](const xml::Node& n) { return n.name == "g" && n.has_class("pts"); });
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0]->attr("fill-opacity"), "0");
  EXPECT_EQ(g[0]->attr("stroke"), "#0072B2");
}

TEST(SvgPlot, NestedPlotKeepsItsCoordinateSystem) {
  SvgPlot p = known_plot();
  auto nested = xml::parse(p.render_nested(10, 20, 300, 200));
  EXPECT_EQ(nested->name, "svg");
  EXPECT_EQ(nested->attr("x"), "10.00");
  EXPECT_EQ(nested->attr("viewBox"), "0 0 600 400");
  EXPECT_TRUE(nested->attr("xmlns").empty());
}

TEST(XmlChecker, RejectsMalformedDocuments) {
  EXPECT_THROW(xml::parse("<a><b></a></b>"), xml::ParseError);
  EXPECT_THROW(xml::parse("<a x=1/>"), xml::ParseError);
  EXPECT_THROW(xml::parse("<a x='1' x='2'/>"), xml::ParseError);
  EXPECT_THROW(xml::parse("<a>&nbsp;</a>"), xml::ParseError);
  EXPECT_THROW(xml::parse("<a>1 < 2</a>"), xml::ParseError);
  EXPECT_THROW(xml::parse("<a/><b/>"), xml::ParseError);
  EXPECT_THROW(xml::parse("<a>"), xml::ParseError);
  EXPECT_NO_THROW(xml::parse("<!DOCTYPE html>\n<html><!-- c --><p a=\"&amp;\">x &lt; y</p></html>\n"));
}

}  // namespace
}  // namespace pelnas::report
