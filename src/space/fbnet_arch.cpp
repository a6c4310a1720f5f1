#include "space/fbnet_arch.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "space/search_space.h"

namespace pelnas {

namespace {

std::string valid_block_names() {
  std::string s;
  for (const auto& b : kFbnetBlocks) s += (s.empty() ? "" : ", ") + std::string(b.name);
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

[[noreturn]] void fail(std::string_view text, int position, const std::string& what) {
  throw SpaceParseError(fmt::format("malformed FBNet architecture '{}': {}", text, what), position);
}

}  // namespace

std::string_view to_string(FbnetDataset d) { return d == FbnetDataset::Cifar100 ? "cifar100" : "ImageNet"; }

FbnetDataset fbnet_dataset_from_string(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "cifar100" || lower == "c100") return FbnetDataset::Cifar100;
  if (lower == "imagenet") return FbnetDataset::ImageNet;
  throw Error(fmt::format("the FBNet space has no dataset '{}' (valid: cifar100, ImageNet)", s));
}

FbnetArch FbnetArch::parse(std::string_view text) {
  const std::string_view body = trim(text);
  if (body.empty()) fail(text, -1, fmt::format("empty; expected {} block names separated by '-'", kFbnetLayers));
  FbnetArch a;
  if (body.front() == '[') {
    // HW-NAS-Bench's op_idx_list form.
    if (body.back() != ']') fail(text, -1, "an op-id list must end with ']'");
    const auto items = split(body.substr(1, body.size() - 2), ',');
    if (items.size() != static_cast<std::size_t>(kFbnetLayers))
      fail(text, static_cast<int>(std::min<std::size_t>(items.size(), kFbnetLayers)),
           fmt::format("{} op ids, expected {}", items.size(), kFbnetLayers));
    for (int p = 0; p < kFbnetLayers; ++p) {
      const auto item = trim(items[static_cast<std::size_t>(p)]);
      int v = -1;
      const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec != std::errc() || end != item.data() + item.size() || v < 0 || v >= kFbnetNumBlocks)
        fail(text, p, fmt::format("position {} is '{}', expected an op id 0..{}", p, item, kFbnetNumBlocks - 1));
      a.ops[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(v);
    }
    return a;
  }
  const auto names = split(body, '-');
  // Name positions before counting, so a typo in a short string is reported where it is.
  for (std::size_t p = 0; p < names.size() && p < static_cast<std::size_t>(kFbnetLayers); ++p) {
    const auto name = trim(names[p]);
    auto it = std::find_if(kFbnetBlocks.begin(), kFbnetBlocks.end(), [&](const FbnetBlock& b) { return b.name == name; });
    if (it == kFbnetBlocks.end())
      fail(text, static_cast<int>(p),
           fmt::format("position {} is '{}', expected a block name ({})", p, name, valid_block_names()));
    a.ops[p] = static_cast<std::uint8_t>(it - kFbnetBlocks.begin());
  }
  if (names.size() != static_cast<std::size_t>(kFbnetLayers))
    fail(text, static_cast<int>(std::min<std::size_t>(names.size(), kFbnetLayers)),
         fmt::format("{} blocks, expected {} block names separated by '-'{}", names.size(), kFbnetLayers,
                     names.size() < static_cast<std::size_t>(kFbnetLayers)
                         ? fmt::format(" (positions {}..{} missing)", names.size(), kFbnetLayers - 1)
                         : fmt::format(" (positions {}.. are extra)", kFbnetLayers)));
  return a;
}

std::string FbnetArch::str() const {
  std::string s;
  for (int p = 0; p < kFbnetLayers; ++p) {
    if (p > 0) s += '-';
    s += kFbnetBlocks.at(ops[static_cast<std::size_t>(p)]).name;
  }
  return s;
}

}  // namespace pelnas
