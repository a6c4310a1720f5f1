#pragma once
// The searchable space of a (dataset, device): the architectures its cost source has a value for,
// minus, by default, the degenerate NB201 cells. A degenerate cell (`zero_output` in the data: no
// input->output path avoids `none`, 341 of 15,625) outputs zeros, trains to chance accuracy and
// still has a latency; on raspi4 one of them is the cheapest architecture, so it would sit at rank 0
// of the true front, put the nadir at 90 % error and squeeze every algorithm's HV ratio. Excluding
// them is a property of the cost source seen by searches and by the true front alike, so both use
// the same space. `include_degenerate` brings them back.
#include <memory>

#include "hardware/cost_source.h"

namespace pelnas {

struct SpaceOptions {
  bool include_degenerate = false;
};

// `base` restricted to the searchable space: same name, unit and provenance; cost() is nullopt for
// an excluded cell; excluded() counts the cells that have a base cost but were left out.
std::shared_ptr<CostSource> searchable_cost(std::shared_ptr<const CostSource> base, const BenchmarkData& data,
                                            SpaceOptions options = {});

// make_cost_source(...) restricted as above: what searches, true fronts and reports use.
std::shared_ptr<CostSource> make_searchable_cost(std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                                                 const CostSpec& spec, SpaceOptions options = {});

}  // namespace pelnas
