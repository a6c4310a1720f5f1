#include "data/pickle_value.h"

#include "common/error.h"

namespace pelnas::pickle {

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return "dict";
    case Kind::Array: return "ndarray";
    case Kind::Global: return "callable";
    case Kind::Dtype: return "numpy.dtype";
    case Kind::PendingArray: return "ndarray (unfinished)";
  }
  return "?";
}

Value::~Value() {
  if (items.empty() && entries.empty()) return;
  std::vector<ValuePtr> pending;
  auto take_children = [&pending](Value& v) {
    for (auto& c : v.items) pending.push_back(std::move(c));
    for (auto& [k, c] : v.entries) {
      pending.push_back(std::move(k));
      pending.push_back(std::move(c));
    }
    v.items.clear();
    v.entries.clear();
  };
  take_children(*this);
  while (!pending.empty()) {
    ValuePtr p = std::move(pending.back());
    pending.pop_back();
    if (p && p.use_count() == 1) take_children(*p);  // last owner: empty it before it dies
  }
}

const Value* Value::get(std::string_view key) const {
  if (kind != Kind::Dict) return nullptr;
  for (const auto& [k, v] : entries)
    if (k->kind == Kind::Str && k->text == key) return v.get();
  return nullptr;
}

double Value::as_double() const {
  switch (kind) {
    case Kind::Float: return number;
    case Kind::Int: return static_cast<double>(integer);
    case Kind::Bool: return boolean ? 1.0 : 0.0;
    default: throw Error("expected a number, found " + describe());
  }
}

std::size_t Value::length() const {
  switch (kind) {
    case Kind::List:
    case Kind::Tuple: return items.size();
    case Kind::Dict: return entries.size();
    case Kind::Array: return array.size();
    default: return 0;
  }
}

std::string Value::describe() const {
  std::string s(to_string(kind));
  if (kind == Kind::Str) return s + " '" + (text.size() > 40 ? text.substr(0, 40) + "..." : text) + "'";
  if (kind == Kind::Int) return s + " " + std::to_string(integer);
  if (kind == Kind::List || kind == Kind::Tuple || kind == Kind::Dict || kind == Kind::Array)
    return s + " of length " + std::to_string(length());
  return s;
}

ValuePtr make_value(Kind k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  return v;
}

}  // namespace pelnas::pickle
