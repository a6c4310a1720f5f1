#include "report/svg_plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <set>
#include <utility>

#include "report/xml.h"

namespace pelnas::report {

namespace {

bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }
double to_axis(double v, bool log) { return log ? std::log10(v) : v; }
double from_axis(double t, bool log) { return log ? std::pow(10.0, t) : t; }

// Range of an axis in axis space (log10 for log axes).
std::pair<double, double> axis_range(const SvgAxis& axis, const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values)
    if (drawable(v, axis.log)) {
      lo = std::min(lo, to_axis(v, axis.log));
      hi = std::max(hi, to_axis(v, axis.log));
    }
  if (!(lo <= hi)) {  // no data
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12) {  // a single value: give it some room
    const double d = axis.log ? 0.5 : std::max(std::abs(lo) * 0.05, 0.5);
    lo -= d;
    hi += d;
  }
  const double pad = (hi - lo) * axis.padding;
  if (axis.min && drawable(*axis.min, axis.log)) lo = to_axis(*axis.min, axis.log); else lo -= pad;
  if (axis.max && drawable(*axis.max, axis.log)) hi = to_axis(*axis.max, axis.log); else hi += pad;
  if (hi <= lo) hi = lo + 1;
  return {lo, hi};
}

std::string f2(double v) { return format_fixed(v, 2); }

std::string attrs_of(const SvgPoint& p) {
  std::string s;
  for (const auto& [k, v] : p.attrs) s += fmt::format(" {}=\"{}\"", k, xml_escape(v));
  return s;
}

void circle(std::string& out, double cx, double cy, double r, const SvgPoint& p) {
  out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\"{}", f2(cx), f2(cy), format_number(r, 4), attrs_of(p));
  if (p.tooltip.empty())
    out += "/>";
  else
    out += fmt::format("><title>{}</title></circle>", xml_escape(p.tooltip));
}

std::string axis_title(const SvgAxis& a) {
  if (a.unit.empty()) return a.label;
  return a.label + " (" + a.unit + ")";
}

}  // namespace

const std::string& palette_colour(std::size_t i) {
  static const std::array<std::string, 7> kOkabeIto = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                      "#56B4E9", "#D55E00", "#F0E442"};
  return kOkabeIto[i % kOkabeIto.size()];
}

std::size_t palette_size() { return 7; }

std::string palette_dash(std::size_t i) {
  static const std::array<const char*, 4> kDashes = {"", "7 4", "2 3", "9 3 2 3"};
  return kDashes[(i / palette_size()) % kDashes.size()];
}

double estimated_text_width(const std::string& text, double font_px) {
  std::size_t code_points = 0;
  for (unsigned char c : text) code_points += (c & 0xC0) != 0x80;
  return static_cast<double>(code_points) * 0.64 * font_px;
}

std::vector<double> nice_ticks(double lo, double hi, int target, bool log) {
  std::vector<double> ticks;
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  if (log) {
    if (lo <= 0) return ticks;
    const int d0 = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    const int d1 = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
    const bool fine = (d1 - d0) < 3;
    for (int d = d0; d <= d1; ++d)
      for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
        const double v = m * std::pow(10.0, d);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push_back(v);
      }
    return ticks;
  }
  target = std::max(target, 2);
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double mult = 10;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) {
      mult = m;
      break;
    }
  const double step = mult * mag;
  // Below 1, divide by the integer 1/mag so ticks are the closest doubles to 0.6 etc., not 3 * 0.2.
  const double inv = mag < 1 ? std::round(1 / mag) : 0;
  const long long first = static_cast<long long>(std::ceil(lo / step - 1e-9));
  const long long last = static_cast<long long>(std::floor(hi / step + 1e-9));
  for (long long k = first; k <= last; ++k) {
    double v = inv > 0 ? static_cast<double>(k) * mult / inv : static_cast<double>(k) * step;
    if (std::abs(v) < step * 1e-9) v = 0;
    ticks.push_back(v);
  }
  return ticks;
}

std::optional<double> SvgPlot::Frame::px(double v) const {
  if (!drawable(v, xlog)) return std::nullopt;
  const double a = to_axis(xmin, xlog), b = to_axis(xmax, xlog);
  return x0 + (to_axis(v, xlog) - a) / (b - a) * (x1 - x0);
}

std::optional<double> SvgPlot::Frame::py(double v) const {
  if (!drawable(v, ylog)) return std::nullopt;
  const double a = to_axis(ymin, ylog), b = to_axis(ymax, ylog);
  return y1 - (to_axis(v, ylog) - a) / (b - a) * (y1 - y0);
}

namespace {
constexpr double kLegendFont = 11, kLegendRow = 16, kSwatch = 20;
}  // namespace

SvgPlot::LegendLayout SvgPlot::legend_layout() const {
  LegendLayout l;
  int entries = 0;
  double text = 0;
  for (const auto& s : series)
    if (!s.name.empty()) {
      ++entries;
      text = std::max(text, estimated_text_width(s.name, kLegendFont));
    }
  if (entries == 0) return l;
  l.entry_width = kSwatch + text + 12;
  const double right = std::max<double>(legend_width, l.entry_width + 16);
  const double plot_w = width - margin_left - margin_right - right;
  const double plot_h = height - margin_top - margin_bottom;
  if (plot_w >= 0.55 * width && entries * kLegendRow + 12 <= plot_h) {
    l.width = right;
    l.rows = entries;
    return l;
  }
  l.below = true;
  const double avail = width - margin_left - margin_right;
  l.columns = std::max(1, std::min(entries, static_cast<int>(avail / l.entry_width)));
  l.rows = (entries + l.columns - 1) / l.columns;
  l.extra_height = l.rows * kLegendRow + 8;
  return l;
}

SvgPlot::Frame SvgPlot::frame() const {
  std::vector<double> xs, ys;
  for (const auto& s : series) {
    for (const auto& p : s.points) {
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
    xs.insert(xs.end(), s.band_x.begin(), s.band_x.end());
    ys.insert(ys.end(), s.band_low.begin(), s.band_low.end());
    ys.insert(ys.end(), s.band_high.begin(), s.band_high.end());
  }
  const LegendLayout legend = legend_layout();
  Frame f{};
  f.x0 = margin_left;
  f.x1 = width - margin_right - legend.width;
  f.y0 = margin_top;
  f.y1 = height - margin_bottom;
  f.xlog = x.log;
  f.ylog = y.log;
  auto [xa, xb] = axis_range(x, xs);
  auto [ya, yb] = axis_range(y, ys);
  f.xmin = from_axis(xa, x.log);
  f.xmax = from_axis(xb, x.log);
  f.ymin = from_axis(ya, y.log);
  f.ymax = from_axis(yb, y.log);
  return f;
}

std::string SvgPlot::render() const {
  const int h = total_height();
  return fmt::format(
             "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" id=\"{}\" width=\"{}\" height=\"{}\" "
             "viewBox=\"0 0 {} {}\" font-family=\"sans-serif\" role=\"img\">\n",
             xml_escape(id), width, h, width, h) +
         render_body() + "</svg>\n";
}

std::string SvgPlot::render_nested(double x, double y, double w, double h) const {
  return fmt::format("<svg class=\"plot-nested\" id=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n",
                     xml_escape(id), f2(x), f2(y), f2(w), f2(h), width, total_height()) +
         render_body() + "</svg>\n";
}

std::string SvgPlot::render_body() const {
  const Frame f = frame();
  std::string out;
  out += fmt::format("<title>{}</title>\n", xml_escape(title));
  out += fmt::format("<defs><clipPath id=\"{}-clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>\n",
                     xml_escape(id), f2(f.x0), f2(f.y0), f2(f.x1 - f.x0), f2(f.y1 - f.y0));
  out += fmt::format("<rect class=\"plot-area\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" stroke=\"#999999\"/>\n",
                     f2(f.x0), f2(f.y0), f2(f.x1 - f.x0), f2(f.y1 - f.y0));

  // Grid, ticks and tick labels.
  out += "<g class=\"axes\" font-size=\"11\" fill=\"#333333\">\n";
  for (double t : nice_ticks(f.xmin, f.xmax, x.target_ticks, x.log)) {
    const double p = *f.px(t);
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#eeeeee\"/>", f2(p), f2(f.y0), f2(f.y1));
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333333\"/>", f2(p), f2(f.y1), f2(f.y1 + 5));
    out += fmt::format("<text class=\"xtick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", f2(p), f2(f.y1 + 18),
                       xml_escape(format_number(t, 6)));
  }
  for (double t : nice_ticks(f.ymin, f.ymax, y.target_ticks, y.log)) {
    const double p = *f.py(t);
    out += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\" stroke=\"#eeeeee\"/>", f2(p), f2(f.x0), f2(f.x1));
    out += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\" stroke=\"#333333\"/>", f2(p), f2(f.x0 - 5), f2(f.x0));
    out += fmt::format("<text class=\"ytick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", f2(f.x0 - 8), f2(p + 4),
                       xml_escape(format_number(t, 6)));
  }
  out += "</g>\n";
  out += fmt::format("<text class=\"title\" x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
                     f2((f.x0 + f.x1) / 2), xml_escape(title));
  out += fmt::format("<text class=\"xlabel\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n",
                     f2((f.x0 + f.x1) / 2), f2(f.y1 + margin_bottom - 14.0), xml_escape(axis_title(x)));
  const double ylx = 18, yly = (f.y0 + f.y1) / 2;
  out += fmt::format("<text class=\"ylabel\" x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 {0} {1})\">{2}</text>\n",
                     f2(ylx), f2(yly), xml_escape(axis_title(y)));

  // Series, clipped to the plot area.
  out += fmt::format("<g clip-path=\"url(#{}-clip)\">\n", xml_escape(id));
  for (std::size_t i = 0; i < series.size(); ++i) {
    const SvgSeries& s = series[i];
    const std::string colour = s.colour.empty() ? palette_colour(i) : s.colour;
    const std::string cls = s.css_class.empty() ? "series" : "series " + s.css_class;
    switch (s.kind) {
      case SeriesKind::Scatter: {
        if (s.hollow)  // a transparent fill keeps the whole disc hoverable without hiding what lies below
          out += fmt::format("<g class=\"{}\" fill=\"#ffffff\" fill-opacity=\"0\" stroke=\"{}\" stroke-opacity=\"{}\" stroke-width=\"{}\">\n",
                             xml_escape(cls), xml_escape(colour), format_number(s.opacity, 3), format_number(s.stroke_width, 3));
        else
          out += fmt::format("<g class=\"{}\" fill=\"{}\" fill-opacity=\"{}\">\n", xml_escape(cls), xml_escape(colour),
                             format_number(s.opacity, 3));
        for (const auto& p : s.points) {
          auto cx = f.px(p.x), cy = f.py(p.y);
          if (!cx || !cy) continue;
          circle(out, *cx, *cy, s.radius, p);
          out += "\n";
        }
        out += "</g>\n";
        break;
      }
      case SeriesKind::Dots: {
        // Zero-length round-capped strokes: one short path command per distinct pixel position.
        std::set<std::pair<long, long>> seen;
        std::string d;
        for (const auto& p : s.points) {
          auto cx = f.px(p.x), cy = f.py(p.y);
          if (!cx || !cy) continue;
          const long kx = std::lround(*cx * 10), ky = std::lround(*cy * 10);
          if (!seen.insert({kx, ky}).second) continue;
          d += fmt::format("M{} {}h0", format_fixed(kx / 10.0, 1), format_fixed(ky / 10.0, 1));
        }
        out += fmt::format("<path class=\"{}\" stroke=\"{}\" stroke-opacity=\"{}\" stroke-width=\"{}\" stroke-linecap=\"round\" fill=\"none\" d=\"{}\"/>\n",
                           xml_escape(cls), xml_escape(colour), format_number(s.opacity, 3),
                           format_number(2 * s.radius, 4), d);
        break;
      }
      case SeriesKind::Line: {
        out += fmt::format("<g class=\"{}\">\n", xml_escape(cls));
        std::string pts;
        auto flush = [&] {
          if (!pts.empty())
            out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-opacity=\"{}\" stroke-width=\"{}\"{} points=\"{}\"/>\n",
                               xml_escape(colour), format_number(s.opacity, 3), format_number(s.stroke_width, 3),
                               s.dash.empty() ? "" : " stroke-dasharray=\"" + xml_escape(s.dash) + "\"", pts);
          pts.clear();
        };
        for (const auto& p : s.points) {
          auto cx = f.px(p.x), cy = f.py(p.y);
          if (!cx || !cy) {
            flush();
            continue;
          }
          if (!pts.empty()) pts += ' ';
          pts += f2(*cx) + "," + f2(*cy);
        }
        flush();
        if (s.markers) {
          out += fmt::format("<g fill=\"{}\">", xml_escape(colour));
          for (const auto& p : s.points) {
            auto cx = f.px(p.x), cy = f.py(p.y);
            if (cx && cy) circle(out, *cx, *cy, s.radius, p);
          }
          out += "</g>\n";
        }
        out += "</g>\n";
        break;
      }
      case SeriesKind::Band: {
        std::string pts;
        const std::size_t n = std::min({s.band_x.size(), s.band_low.size(), s.band_high.size()});
        std::vector<std::pair<double, double>> upper, lower;
        for (std::size_t k = 0; k < n; ++k) {
          auto cx = f.px(s.band_x[k]), lo = f.py(s.band_low[k]), hi = f.py(s.band_high[k]);
          if (!cx || !lo || !hi) continue;
          upper.emplace_back(*cx, *hi);
          lower.emplace_back(*cx, *lo);
        }
        for (auto& [a, b] : upper) pts += (pts.empty() ? "" : " ") + f2(a) + "," + f2(b);
        for (auto it = lower.rbegin(); it != lower.rend(); ++it) pts += " " + f2(it->first) + "," + f2(it->second);
        if (!upper.empty())
          out += fmt::format("<polygon class=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"none\" points=\"{}\"/>\n",
                             xml_escape(cls), xml_escape(colour), format_number(s.opacity, 3), pts);
        break;
      }
    }
  }
  out += "</g>\n";

  if (!overlay.empty()) out += overlay;

  // Legend: right margin or below the plot (legend_layout()).
  const LegendLayout layout = legend_layout();
  out += "<g class=\"legend\" font-size=\"11\">\n";
  int entry = 0;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const SvgSeries& s = series[i];
    if (s.name.empty()) continue;
    double lx, ly;
    if (layout.below) {
      lx = margin_left + (entry % layout.columns) * layout.entry_width;
      // Below the x-axis title: the plot's bottom margin ends at `height`.
      ly = height + 4 + (entry / layout.columns) * kLegendRow + 8;
    } else {
      lx = f.x1 + 16;
      ly = f.y0 + 12 + entry * kLegendRow;
    }
    ++entry;
    const std::string colour = xml_escape(s.colour.empty() ? palette_colour(i) : s.colour);
    switch (s.kind) {
      case SeriesKind::Scatter:
      case SeriesKind::Dots:
        if (s.hollow)
          out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>", f2(lx + 6),
                             f2(ly - 4), colour);
        else
          out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\" fill-opacity=\"{}\"/>", f2(lx + 6), f2(ly - 4),
                             colour, format_number(std::max(s.opacity, 0.35), 3));
        break;
      case SeriesKind::Line:
        out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>", f2(lx),
                           f2(ly - 4), f2(lx + 14), f2(ly - 4), colour,
                           s.dash.empty() ? "" : " stroke-dasharray=\"" + xml_escape(s.dash) + "\"");
        break;
      case SeriesKind::Band:
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"8\" fill=\"{}\" fill-opacity=\"{}\"/>", f2(lx),
                           f2(ly - 8), colour, format_number(s.opacity, 3));
        break;
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", f2(lx + kSwatch), f2(ly), xml_escape(s.name));
  }
  out += "</g>\n";
  return out;
}

}  // namespace pelnas::report
