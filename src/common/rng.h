#pragma once
// The one source of randomness in pelnas. xoshiro256** seeded through splitmix64: fast, the same
// stream on every platform and standard library (std:: distributions are not), and its state
// serialises so that a killed run resumes with the exact same draws.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pelnas {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);

  // Inline: a long run's operators make hundreds of draws per child (issue 14).
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform integer in [lo, hi] (inclusive), unbiased (Lemire's method with rejection).
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
  // Uniform double in [0, 1).
  double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool bernoulli(double p) { return uniform01() < p; }
  // Standard normal (Box-Muller, no cached spare so the state is only the four words).
  double normal();

  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(uniform_int(0, static_cast<std::int64_t>(i - 1)));
      std::swap(v[i - 1], v[j]);
    }
  }

  // An independent child stream, e.g. one per niche or per seed of a grid, derived from this
  // generator's seed and a stream id without advancing this generator.
  Rng split(std::uint64_t stream_id) const;

  std::string serialize() const;               // 4 hex words
  static Rng deserialize(const std::string&);  // throws pelnas::Error on a malformed state

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
  std::uint64_t seed_ = 0;
};

std::uint64_t splitmix64(std::uint64_t& state);

}  // namespace pelnas
