#pragma once
// A small deterministic SVG chart writer for the reports: scatter, line and band series on linear
// or log axes, with ticks, axis labels with units, a legend, a title and per-point tooltips
// (<title> children, which browsers show on hover). Output is plain XML, so it can be inlined in
// an XHTML-compatible HTML5 page and checked by an XML parser. Same input, same bytes.
//
// The legend never clips: its width comes from a conservative estimate of the text width (DejaVu
// Sans, the widest common sans-serif, at 0.64 em per character); it sits in the right margin when
// that leaves the plot area at least 55 % of the width and the entries fit its height, otherwise
// below the plot in as many columns as fit, and the picture grows to hold it. The headless-browser
// check (scripts/check_report_render.sh) measures the real text boxes.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pelnas::report {

struct SvgAxis {
  std::string label;  // e.g. "latency"
  std::string unit;   // e.g. "ms"; shown as "label (unit)"
  bool log = false;   // log10 scale; non-positive values are not drawn
  std::optional<double> min = std::nullopt, max = std::nullopt;  // fixed range; otherwise the data range plus `padding`
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
  bool hollow = false;      // Scatter: rings (stroke in the colour, transparent fill) that do not hide what lies below
  std::string dash;         // Line: stroke-dasharray (e.g. "6 3"); empty = solid
  std::string css_class;    // class attribute of the series' <g>, for tests and styling
};

struct SvgPlot {
  std::string id = "plot";  // prefix of element ids (clip path); must be unique within a page
  std::string title;
  SvgAxis x, y;
  std::vector<SvgSeries> series;
  int width = 720, height = 440;
  // Plot area margins in pixels; the legend (when any series is named) is laid out as described above.
  int margin_left = 72, margin_right = 24, margin_top = 40, margin_bottom = 56;
  int legend_width = 150;  // minimum width of a legend in the right margin
  // Raw SVG drawn on top of everything, in the picture's pixel coordinates (e.g. an inset).
  std::string overlay;

  std::string render() const;
  // The same picture as a nested <svg> placed at (x, y) with size (w, h) inside another picture.
  std::string render_nested(double x, double y, double w, double h) const;

  struct LegendLayout {
    bool below = false;    // below the plot area (else in the right margin)
    double entry_width = 0;  // pixels per entry (swatch + text estimate)
    int columns = 1, rows = 0;
    double width = 0;       // right margin taken by the legend (0 when below)
    double extra_height = 0;  // pixels added under the plot when below
  };
  LegendLayout legend_layout() const;
  int total_height() const { return height + static_cast<int>(legend_layout().extra_height); }

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

 private:
  std::string render_body() const;
};

// The Okabe-Ito colour-blind-safe palette in a fixed order (black is kept for true fronts):
// blue, orange, bluish green, reddish purple, sky blue, vermillion, yellow; indexed cyclically.
// Orange and vermillion, the pair hardest to tell apart under bands, are far apart in the order.
const std::string& palette_colour(std::size_t i);
std::size_t palette_size();
// A dash pattern for series i that also differs when the colours repeat ("" for the first cycle).
std::string palette_dash(std::size_t i);

// Conservative width in pixels of `text` at `font_px` (0.64 em per UTF-8 code point).
double estimated_text_width(const std::string& text, double font_px);

// "Nice" tick values (1, 2, 2.5, 5 x 10^k) covering [lo, hi]; on a log axis the powers of ten
// (with 2 and 5 multiples when the range spans less than three decades).
std::vector<double> nice_ticks(double lo, double hi, int target, bool log);

}  // namespace pelnas::report
