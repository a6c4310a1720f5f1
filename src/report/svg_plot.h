#pragma once
// A small deterministic SVG chart writer for the reports: scatter, line and band series on linear
// or log axes, with ticks, axis labels with units, a legend, a title and per-point tooltips
// (<title> children, which browsers show on hover). Output is plain XML, so it can be inlined in
// an XHTML-compatible HTML5 page and checked by an XML parser. Same input, same bytes.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pelnas::report {

struct SvgAxis {
  std::string label;  // e.g. "latency"
  std::string unit;   // e.g. "ms"; shown as "label (unit)"
  bool log = false;   // log10 scale; non-positive values are not drawn
  std::optional<double> min, max;  // fixed range; otherwise the data range plus `padding`
  double padding = 0.04;           // fraction of the data range added on both sides
  int target_ticks = 6;
};

enum class SeriesKind {
  Scatter,  // circles, each with its tooltip and attributes
  Dots,     // thousands of small points as one <path> (no tooltips); coincident pixels drawn once
  Line,     // a polyline in x order as given; non-finite points break the line
  Band,     // a filled area between y_low and y_high (the spread over seeds)
};

struct SvgPoint {
  double x = 0, y = 0;
  std::string tooltip;                        // <title> text (escaped on output)
  std::map<std::string, std::string> attrs;   // extra attributes, e.g. {"data-index", "6111"}
};

struct SvgSeries {
  std::string name;    // legend text; empty = not in the legend
  std::string colour;  // CSS colour; empty = the palette colour of the series' position
  SeriesKind kind = SeriesKind::Scatter;
  std::vector<SvgPoint> points;                // Scatter and Line
  std::vector<double> band_x, band_low, band_high;  // Band
  double radius = 3.0;
  double opacity = 1.0;
  double stroke_width = 1.8;
  bool markers = false;     // Line: also draw a circle per point
  std::string css_class;    // class attribute of the series' <g>, for tests and styling
};

struct SvgPlot {
  std::string id = "plot";  // prefix of element ids (clip path); must be unique within a page
  std::string title;
  SvgAxis x, y;
  std::vector<SvgSeries> series;
  int width = 720, height = 440;
  // Plot area margins in pixels; the legend sits in the right margin when any series is named.
  int margin_left = 72, margin_right = 24, margin_top = 40, margin_bottom = 56;
  int legend_width = 190;

  std::string render() const;

  // The pixel position of a data value under the current data and options (what render() uses);
  // nullopt when the value cannot be drawn (non-finite, or <= 0 on a log axis).
  struct Frame {
    double x0, x1, y0, y1;          // plot area in pixels (y0 = top)
    double xmin, xmax, ymin, ymax;  // data range (in data units)
    bool xlog, ylog;
    std::optional<double> px(double x) const;
    std::optional<double> py(double y) const;
  };
  Frame frame() const;
};

// A colour-blind-safe palette (Okabe-Ito, then Tableau) indexed cyclically.
const std::string& palette_colour(std::size_t i);

// "Nice" tick values (1, 2, 2.5, 5 x 10^k) covering [lo, hi]; on a log axis the powers of ten
// (with 2 and 5 multiples when the range spans less than three decades).
std::vector<double> nice_ticks(double lo, double hi, int target, bool log);

}  // namespace pelnas::report
