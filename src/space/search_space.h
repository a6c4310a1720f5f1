#pragma once
// A search space seen through one interface (issue 11): a fixed-length categorical encoding with
// named positions and choices, its canonical text form, legality, the variation operators the
// searches need (sampling, neighbours, mutation, crossover), a stable hash, the complexity
// features partitions are defined on, and the text an LLM prompt describes it with. Spaces
// register by name ("nb201", "fbnet") and are built for one dataset, because the network a
// space's encoding denotes (and so its FLOPs, params and cost) depends on the dataset.
//
// The default operators treat every position independently, which is exact for spaces whose
// legal set is a product (NB201, FBNet); a space with constraints between positions overrides
// illegal_reason(), constrained() and the operators that would leave the legal set.
//
// The LibTorch network of an encoding is built by the torch back end through a builder
// registered under the space's name (predictor/space_network_torch.h); torch-free code asks
// has_network_builder(space) whether one is linked in.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace pelnas {

class Rng;

// One choice index per position, in [0, positions()[p].choices.size()).
using Encoding = std::vector<int>;

struct SpacePosition {
  std::string name;                  // e.g. "edge 2<-1", "layer 7"
  std::vector<std::string> choices;  // the names used in the canonical string
};

// A number computed from an encoding that partitions (niches) can be defined on. Every legal
// encoding's value lies in [min, max] (checked by the conformance test).
struct ComplexityFeature {
  std::string name;         // identifier used in partition rules, e.g. "conv3x3", "flops"
  std::string description;  // one line, with the unit
  double min = 0;
  double max = 0;
};

// Thrown by SearchSpace::parse. position() is the encoding position at fault, or -1 when the
// problem is not tied to one (e.g. an empty string).
class SpaceParseError : public Error {
 public:
  SpaceParseError(const std::string& message, int position) : Error(message), position_(position) {}
  int position() const { return position_; }

 private:
  int position_;
};

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;

  virtual std::string name() const = 0;     // registry name: "nb201", "fbnet"
  virtual std::string dataset() const = 0;  // the dataset its networks are built for
  virtual const std::vector<SpacePosition>& positions() const = 0;
  int length() const { return static_cast<int>(positions().size()); }
  // log10 of the number of encodings (the product of the choice counts).
  double log10_size() const;
  // The number of encodings when it fits in 2^53 (so exhaustive listing can even be considered).
  std::optional<std::uint64_t> cardinality() const;

  // Canonical string <-> encoding. parse() throws SpaceParseError naming the position at fault;
  // print() throws pelnas::Error for a malformed encoding. print(parse(s)) == s for canonical s.
  virtual Encoding parse(std::string_view text) const = 0;
  virtual std::string print(const Encoding& e) const = 0;

  // nullopt when e is a legal architecture, else why not (naming the position).
  virtual std::optional<std::string> illegal_reason(const Encoding& e) const;
  bool legal(const Encoding& e) const { return !illegal_reason(e).has_value(); }
  // Whether the legal set is smaller than the product of the positions' choices (illegal_reason()
  // rejects some encodings whose every choice is in range). False for NB201 and FBNet; a space with
  // constraints between positions returns true, so code walking in-range codes asks legal().
  virtual bool constrained() const { return false; }

  // Uniform over legal encodings.
  virtual Encoding sample(Rng& rng) const;
  // Every legal encoding that differs from e in exactly one position, in (position, choice) order.
  virtual std::vector<Encoding> neighbours(const Encoding& e) const;
  // e with `changes` distinct positions (clamped to [1, length]) set to a different choice.
  virtual Encoding mutate(const Encoding& e, Rng& rng, int changes = 1) const;
  // Uniform crossover: each position from a or b with probability 1/2.
  virtual Encoding crossover(const Encoding& a, const Encoding& b, Rng& rng) const;

  // FNV-1a (64 bit) over the space name and the choices: the same on every platform and run, so
  // it may key caches and files (std::hash may not).
  std::uint64_t hash(const Encoding& e) const;

  virtual const std::vector<ComplexityFeature>& features() const = 0;
  // One value per features() entry.
  virtual std::vector<double> feature_values(const Encoding& e) const = 0;
  // Value of one feature by name; throws listing the valid names.
  double feature_value(const Encoding& e, std::string_view feature) const;

  // For LLM prompts: what an architecture string means (positions, choices, format), and one
  // legal example in canonical form.
  virtual std::string prompt_description() const = 0;
  virtual std::string prompt_example() const = 0;

 protected:
  // Throws pelnas::Error unless e has the right length and every choice is in range.
  void check_shape(const Encoding& e) const;
};

// Space factories by name, like cost back ends and operators.
struct SpaceEntry {
  std::string name;
  std::string description;            // one line for listings
  std::vector<std::string> datasets;  // accepted dataset names; the first is the default
  std::function<std::unique_ptr<SearchSpace>(const std::string& dataset)> make;
};

class SearchSpaceRegistry {
 public:
  // The process-wide registry, holding the built-in spaces.
  static SearchSpaceRegistry& instance();
  void add(SpaceEntry entry);  // throws on a duplicate name
  std::vector<std::string> names() const;
  const SpaceEntry& entry(std::string_view name) const;  // throws listing the valid names
  // Builds `name` for `dataset` (empty: the space's default dataset). Unknown names list the
  // valid spaces; a dataset the space does not have lists the ones it has.
  std::unique_ptr<SearchSpace> make(std::string_view name, const std::string& dataset = "") const;

 private:
  std::vector<SpaceEntry> entries_;
};

// The one list of built-in spaces (space/builtin_spaces.cpp).
void register_builtin_spaces(SearchSpaceRegistry& registry);

std::unique_ptr<SearchSpace> make_search_space(std::string_view name, const std::string& dataset = "");

// Whether the linked torch back end can build networks of this space (predictor/space_network_torch.h).
bool has_network_builder(std::string_view space);
void mark_network_builder(std::string_view space);  // called by the torch back end's registration

}  // namespace pelnas
