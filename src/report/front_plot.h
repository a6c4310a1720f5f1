#pragma once
// The accuracy-against-cost chart shared by the run report and the comparison report. It is zoomed
// to the region of the fronts: the bounding box of the true front and the found points, leaving out
// degenerate cells (zero-output cells, which sit at chance accuracy and would squash the 86-95 %
// region into a strip). All architectures stay faint in the background, and an inset in the lower
// right shows the whole space with the zoomed region outlined. Found points are rings drawn under
// the true front, so they never hide a true-front point.
#include <string>
#include <vector>

#include "data/benchmark_data.h"
#include "hardware/cost_source.h"
#include "metrics/true_front.h"
#include "report/svg_plot.h"

namespace pelnas::report {

struct FrontPoint {
  double cost = 0, accuracy = 0;
  int index = -1;  // NB201 index (-1: unknown, never treated as degenerate)
};

struct FrontZoom {
  double xmin = 0, xmax = 1, ymin = 0, ymax = 1;
  int outside_found = 0;  // found points (non-degenerate or not) outside the zoomed region
  int outside_true = 0;   // true-front points outside it
};

// Degenerate: the table marks the cell as computing a zero output.
bool is_degenerate_cell(const BenchmarkData& data, int index);

FrontZoom front_zoom(const BenchmarkData& data, const TrueFront& truth, const std::vector<FrontPoint>& found);

struct FrontPlotSpec {
  std::string id, title;
  const BenchmarkData* data = nullptr;
  Dataset dataset = Dataset::Cifar10;
  const CostSource* cost = nullptr;
  const TrueFront* truth = nullptr;
  std::vector<SvgSeries> layers;  // drawn between the background and the true front (evaluated dots, found rings)
  std::vector<FrontPoint> found;  // what the zoom must show (the found fronts)
  bool background = true;         // all architectures faint behind, and the whole-space inset
};

// The chart with its inset; the caller renders it. A note for under the chart says what the zoom
// leaves out (empty when nothing).
struct FrontPlot {
  SvgPlot plot;
  FrontZoom zoom;
  std::string note;
};
FrontPlot make_front_plot(const FrontPlotSpec& spec);

}  // namespace pelnas::report
