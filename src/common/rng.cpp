#include "common/rng.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/error.h"

namespace pelnas {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t sm = seed;
  for (auto& w : s_) w = splitmix64(sm);
}

std::int64_t Rng::uniform_int(std::int64_t lo, std::int64_t hi) {
  if (hi < lo) throw Error("Rng::uniform_int: empty range");
  const std::uint64_t range = static_cast<std::uint64_t>(hi - lo) + 1;
  if (range == 0) return static_cast<std::int64_t>(next());  // full 64-bit range
  // Lemire: multiply-shift with rejection of the biased low zone.
  unsigned __int128 m = static_cast<unsigned __int128>(next()) * range;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < range) {
    const std::uint64_t threshold = (0 - range) % range;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next()) * range;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return lo + static_cast<std::int64_t>(m >> 64);
}

double Rng::normal() {
  double u1 = uniform01();
  while (u1 <= 0.0) u1 = uniform01();
  const double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

Rng Rng::split(std::uint64_t stream_id) const {
  std::uint64_t sm = seed_ ^ (0xd1b54a32d192ed03ULL * (stream_id + 1));
  return Rng(splitmix64(sm));
}

std::string Rng::serialize() const {
  char buf[4 * 17 + 17 + 1];
  std::snprintf(buf, sizeof buf, "%016llx:%016llx:%016llx:%016llx:%016llx",
                static_cast<unsigned long long>(seed_), static_cast<unsigned long long>(s_[0]),
                static_cast<unsigned long long>(s_[1]), static_cast<unsigned long long>(s_[2]),
                static_cast<unsigned long long>(s_[3]));
  return buf;
}

Rng Rng::deserialize(const std::string& text) {
  unsigned long long w[5];
  char tail;
  if (text.size() != 84 ||
      std::sscanf(text.c_str(), "%16llx:%16llx:%16llx:%16llx:%16llx%c", &w[0], &w[1], &w[2], &w[3],
                  &w[4], &tail) != 5)
    throw Error("malformed random-generator state '" + text + "' (expected 5 hex words joined by ':')");
  // xoshiro256** never leaves the all-zero state: it would return 0 forever (Rng::normal would loop).
  if ((w[1] | w[2] | w[3] | w[4]) == 0)
    throw Error("invalid random-generator state '" + text + "': the four state words are all zero");
  Rng r;
  r.seed_ = w[0];
  for (int i = 0; i < 4; ++i) r.s_[i] = w[i + 1];
  return r;
}

}  // namespace pelnas
