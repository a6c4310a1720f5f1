#include "search/partition.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"

namespace pelnas {

namespace {

struct FeatureName {
  NicheFeature feature;
  const char* name;
};
// The first name of each feature is canonical (used when printing rules).
constexpr FeatureName kFeatureNames[] = {
    {NicheFeature::CountNone, "none"},          {NicheFeature::CountSkip, "skip_connect"},
    {NicheFeature::CountConv1x1, "nor_conv_1x1"}, {NicheFeature::CountConv3x3, "nor_conv_3x3"},
    {NicheFeature::CountAvgPool, "avg_pool_3x3"}, {NicheFeature::Flops, "flops"},
    {NicheFeature::Params, "params"},           {NicheFeature::Cost, "cost"},
    {NicheFeature::CountSkip, "skip"},          {NicheFeature::CountConv1x1, "conv1x1"},
    {NicheFeature::CountConv3x3, "conv3x3"},    {NicheFeature::CountAvgPool, "avg_pool"},
    {NicheFeature::Cost, "latency"},
};

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

std::string format_number(double v) {
  std::ostringstream os;
  os.precision(15);
  os << v;
  return os.str();
}

NicheCondition parse_condition(const std::string& text, const std::string& file, long line) {
  static const std::pair<const char*, Comparison> ops[] = {{"==", Comparison::Eq}, {"!=", Comparison::Ne},
                                                           {"<=", Comparison::Le}, {">=", Comparison::Ge},
                                                           {"<", Comparison::Lt},  {">", Comparison::Gt}};
  for (auto [sym, cmp] : ops) {
    const auto pos = text.find(sym);
    if (pos == std::string::npos) continue;
    const std::string lhs = trim(text.substr(0, pos));
    const std::string rhs = trim(text.substr(pos + std::char_traits<char>::length(sym)));
    NicheCondition c{};
    try {
      c.feature = niche_feature_from_string(lhs);
    } catch (const Error& e) {
      throw InputError(file, line, e.what());
    }
    c.op = cmp;
    std::size_t used = 0;
    try {
      c.value = std::stod(rhs, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (rhs.empty() || used != rhs.size() || !std::isfinite(c.value))
      throw InputError(file, line, "rule condition '" + text + "': expected a number after '" + sym + "', got '" + rhs + "'");
    return c;
  }
  throw InputError(file, line,
                   "rule condition '" + text + "': expected FEATURE OP NUMBER with OP one of == != < <= > >=");
}

std::vector<NicheCondition> parse_rule(const std::string& text, const std::string& file, long line) {
  std::vector<NicheCondition> out;
  const std::string t = trim(text);
  if (t == "*") return out;
  if (t.empty()) throw InputError(file, line, "empty rule (write '*' for a niche holding every architecture)");
  std::size_t start = 0;
  while (true) {
    const auto pos = t.find("&&", start);
    out.push_back(parse_condition(trim(t.substr(start, pos == std::string::npos ? std::string::npos : pos - start)), file, line));
    if (pos == std::string::npos) break;
    start = pos + 2;
  }
  return out;
}

std::string describe_condition(const NicheCondition& c) {
  std::string what;
  switch (c.feature) {
    case NicheFeature::Flops: what = "FLOPs (M)"; break;
    case NicheFeature::Params: what = "parameters (M)"; break;
    case NicheFeature::Cost: what = "cost on the target device"; break;
    default: what = "number of " + std::string(to_string(c.feature)) + " edges"; break;
  }
  const bool is_count = c.feature != NicheFeature::Flops && c.feature != NicheFeature::Params && c.feature != NicheFeature::Cost;
  if (is_count && c.op == Comparison::Eq && c.value == 0) return "no " + std::string(to_string(c.feature)) + " edge";
  if (is_count && c.op == Comparison::Eq && c.value == 1) return "exactly one " + std::string(to_string(c.feature)) + " edge";
  static const char* words[] = {"=", "!=", "<", "<=", ">", ">="};
  return what + " " + words[static_cast<int>(c.op)] + " " + format_number(c.value);
}

std::string generated_constraint(const std::vector<NicheCondition>& cs) {
  if (cs.empty()) return "any architecture of the NB201 space";
  std::string s;
  for (const auto& c : cs) s += (s.empty() ? "" : " and ") + describe_condition(c);
  return s;
}

Partition make(const std::string& name, const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string csv = "name,rule,constraint\n";
  for (const auto& [n, r] : rows) csv += n + "," + r + ",\n";
  Partition p = Partition::parse_csv(csv, "built-in partition '" + name + "'");
  return p;
}

}  // namespace

std::string_view to_string(NicheFeature f) {
  for (const auto& fn : kFeatureNames)
    if (fn.feature == f) return fn.name;
  return "?";
}

NicheFeature niche_feature_from_string(std::string_view s) {
  for (const auto& fn : kFeatureNames)
    if (s == fn.name) return fn.feature;
  std::string valid;
  for (const auto& fn : kFeatureNames) valid += (valid.empty() ? "" : ", ") + std::string(fn.name);
  throw Error("unknown niche feature '" + std::string(s) + "' (valid: " + valid + ")");
}

std::string_view to_string(Comparison c) {
  static const char* syms[] = {"==", "!=", "<", "<=", ">", ">="};
  return syms[static_cast<int>(c)];
}

bool NicheCondition::holds(double x) const {
  switch (op) {
    case Comparison::Eq: return x == value;
    case Comparison::Ne: return x != value;
    case Comparison::Lt: return x < value;
    case Comparison::Le: return x <= value;
    case Comparison::Gt: return x > value;
    case Comparison::Ge: return x >= value;
  }
  return false;
}

std::string NicheRule::rule_text() const {
  if (conditions.empty()) return "*";
  std::string s;
  for (const auto& c : conditions)
    s += (s.empty() ? "" : " && ") + std::string(to_string(c.feature)) + " " + std::string(to_string(c.op)) + " " +
         format_number(c.value);
  return s;
}

std::string PartitionCoverage::problem_summary(const BenchmarkData& data, const std::vector<NicheRule>& rules) const {
  std::ostringstream os;
  if (!uncovered.empty()) {
    os << uncovered.size() << " architecture(s) fall in no niche (e.g. ";
    for (std::size_t i = 0; i < uncovered.size() && i < 3; ++i)
      os << (i ? ", " : "") << "#" << uncovered[i] << " " << data.arch(uncovered[i]).str();
    os << ")";
  }
  if (!overlapping.empty()) {
    if (!uncovered.empty()) os << "; ";
    os << overlapping.size() << " architecture(s) fall in two or more niches (e.g. ";
    for (std::size_t i = 0; i < overlapping.size() && i < 3; ++i) {
      os << (i ? ", " : "") << "#" << overlapping[i].first << " " << data.arch(overlapping[i].first).str() << " in";
      for (int n : overlapping[i].second) os << " '" << rules[n].name << "'";
    }
    os << ")";
  }
  return os.str();
}

Partition Partition::parse_csv(const std::string& text, const std::string& file) {
  // Drop comment lines but keep line numbers right by blanking them... CsvTable needs a header first,
  // so comments are removed and a line map kept.
  std::string cleaned;
  std::vector<long> line_of;  // cleaned line -> original line
  {
    std::istringstream is(text);
    std::string l;
    long n = 0;
    while (std::getline(is, l)) {
      ++n;
      const std::string t = trim(l);
      if (t.empty() || t[0] == '#') continue;
      cleaned += l + "\n";
      line_of.push_back(n);
    }
  }
  if (line_of.empty()) throw InputError(file, 0, "empty partition table (expected a header 'name,rule,constraint')");
  CsvTable table = CsvTable::parse(cleaned, file);
  const auto name_col = table.find_column("name");
  const auto rule_col = table.find_column("rule");
  if (!name_col || !rule_col)
    throw InputError(file, line_of[0], "partition table header must have columns 'name' and 'rule' (and optionally 'constraint')");
  const auto constraint_col = table.find_column("constraint");
  Partition p;
  p.name_ = file;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const long line = line_of.at(static_cast<std::size_t>(table.line(r) - 1));
    NicheRule rule;
    rule.name = trim(table.cell(r, *name_col));
    if (rule.name.empty()) throw InputError(file, line, "niche name is empty");
    for (const auto& other : p.rules_)
      if (other.name == rule.name) throw InputError(file, line, "niche name '" + rule.name + "' is used twice");
    rule.conditions = parse_rule(std::string(table.cell(r, *rule_col)), file, line);
    if (constraint_col) rule.constraint = trim(table.cell(r, *constraint_col));
    if (rule.constraint.empty()) rule.constraint = generated_constraint(rule.conditions);
    p.rules_.push_back(std::move(rule));
  }
  if (p.rules_.empty()) throw InputError(file, 0, "partition table has no niches");
  return p;
}

Partition Partition::read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot read partition table (not a file, nor one of the built-ins: paper, conv3x3, none)");
  std::stringstream ss;
  ss << in.rdbuf();
  Partition p = parse_csv(ss.str(), path);
  return p;
}

std::vector<std::string> Partition::builtin_names() { return {"paper", "conv3x3", "none"}; }

Partition Partition::builtin(const std::string& name) {
  Partition p;
  if (name == "paper") {
    p = make(name, {{"no-conv", "nor_conv_3x3 == 0 && nor_conv_1x1 == 0"},
                    {"conv1x1-only", "nor_conv_3x3 == 0 && nor_conv_1x1 >= 1"},
                    {"conv3x3=1", "nor_conv_3x3 == 1"},
                    {"conv3x3=2", "nor_conv_3x3 == 2"},
                    {"conv3x3=3", "nor_conv_3x3 == 3"},
                    {"conv3x3>=4", "nor_conv_3x3 >= 4"}});
  } else if (name == "conv3x3") {
    p = make(name, {{"conv3x3=0", "nor_conv_3x3 == 0"},
                    {"conv3x3=1", "nor_conv_3x3 == 1"},
                    {"conv3x3=2", "nor_conv_3x3 == 2"},
                    {"conv3x3=3", "nor_conv_3x3 == 3"},
                    {"conv3x3=4", "nor_conv_3x3 == 4"},
                    {"conv3x3>=5", "nor_conv_3x3 >= 5"}});
  } else if (name == "none") {
    p = whole_space();
  } else {
    std::string valid;
    for (const auto& n : builtin_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw Error("unknown built-in partition '" + name + "' (valid: " + valid + ", or a path to a CSV table)");
  }
  p.name_ = name;
  return p;
}

Partition Partition::whole_space() {
  Partition p = make("none", {{"all", "*"}});
  p.name_ = "none";
  return p;
}

Partition Partition::load(const std::string& name_or_path) {
  for (const auto& n : builtin_names())
    if (n == name_or_path) return builtin(n);
  return read_csv(name_or_path);
}

bool Partition::uses_cost() const {
  for (const auto& r : rules_)
    for (const auto& c : r.conditions)
      if (c.feature == NicheFeature::Cost) return true;
  return false;
}

std::string Partition::to_csv() const {
  std::string s = "name,rule,constraint\n";
  for (const auto& r : rules_) {
    std::string c = r.constraint;
    if (c.find_first_of(",\"") != std::string::npos) {
      std::string q = "\"";
      for (char ch : c) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      c = q + "\"";
    }
    s += r.name + "," + r.rule_text() + "," + c + "\n";
  }
  return s;
}

nlohmann::json Partition::to_json() const {
  nlohmann::json niches = nlohmann::json::array();
  for (const auto& r : rules_) niches.push_back({{"name", r.name}, {"rule", r.rule_text()}, {"constraint", r.constraint}});
  return {{"name", name_}, {"niches", niches}};
}

Partition Partition::from_json(const nlohmann::json& j) {
  try {
    std::string csv = "name,rule,constraint\n";
    Partition p;
    p.name_ = j.at("name").get<std::string>();
    for (const auto& n : j.at("niches")) {
      NicheRule r;
      r.name = n.at("name").get<std::string>();
      r.conditions = parse_rule(n.at("rule").get<std::string>(), "partition JSON", 0);
      r.constraint = n.value("constraint", std::string());
      if (r.constraint.empty()) r.constraint = generated_constraint(r.conditions);
      p.rules_.push_back(std::move(r));
    }
    if (p.rules_.empty()) throw Error("partition JSON: 'niches' is empty");
    return p;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("partition JSON: expected {name, niches:[{name, rule, constraint}]}: ") + e.what());
  }
}

bool Partition::matches(int niche, const Arch& arch, int index, const PartitionContext& ctx) const {
  for (const auto& c : rules_.at(static_cast<std::size_t>(niche)).conditions) {
    double x = 0;
    switch (c.feature) {
      case NicheFeature::CountNone: x = arch.count(Op::None); break;
      case NicheFeature::CountSkip: x = arch.count(Op::Skip); break;
      case NicheFeature::CountConv1x1: x = arch.count(Op::Conv1x1); break;
      case NicheFeature::CountConv3x3: x = arch.count(Op::Conv3x3); break;
      case NicheFeature::CountAvgPool: x = arch.count(Op::AvgPool); break;
      case NicheFeature::Flops:
        if (!ctx.data) throw Error("partition rule uses flops but no benchmark data was given");
        x = ctx.data->flops(index, ctx.dataset);
        break;
      case NicheFeature::Params:
        if (!ctx.data) throw Error("partition rule uses params but no benchmark data was given");
        x = ctx.data->params(index, ctx.dataset);
        break;
      case NicheFeature::Cost: {
        if (!ctx.cost) throw Error("partition rule uses cost but no cost source (device) was given");
        const auto v = ctx.cost->cost(index);
        if (!v) return false;
        x = *v;
        break;
      }
    }
    if (!c.holds(x)) return false;
  }
  return true;
}

PartitionCoverage Partition::coverage(const PartitionContext& ctx) const {
  if (!ctx.data) throw Error("partition coverage needs the benchmark data");
  PartitionCoverage cov;
  const int n = size();
  cov.sizes.assign(n, 0);
  cov.cost_min.assign(n, std::numeric_limits<double>::quiet_NaN());
  cov.cost_max = cov.cost_min;
  for (int index = 0; index < ctx.data->size(); ++index) {
    std::optional<double> cost;
    if (ctx.cost) {
      if (!ctx.cost->covers(index)) continue;  // outside the device's domain: never searched
      cost = ctx.cost->cost(index);  // none yet for a told cost
    }
    ++cov.domain;
    const Arch& a = ctx.data->arch(index);
    std::vector<int> in;
    for (int k = 0; k < n; ++k)
      if (matches(k, a, index, ctx)) in.push_back(k);
    if (in.empty()) cov.uncovered.push_back(index);
    if (in.size() > 1) cov.overlapping.emplace_back(index, in);
    for (int k : in) {
      ++cov.sizes[k];
      if (cost) {
        if (std::isnan(cov.cost_min[k]) || *cost < cov.cost_min[k]) cov.cost_min[k] = *cost;
        if (std::isnan(cov.cost_max[k]) || *cost > cov.cost_max[k]) cov.cost_max[k] = *cost;
      }
    }
  }
  return cov;
}

}  // namespace pelnas
