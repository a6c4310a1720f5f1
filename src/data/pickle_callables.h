#pragma once
// The callables a data pickle may name (GLOBAL / STACK_GLOBAL), and what REDUCE and BUILD do with
// them: NumPy dtype / ndarray / scalar reconstruction (f8, f4, i8, either byte order) and
// _codecs.encode(text, 'latin1'), protocol 2's bytes. Anything else is refused. Used by the stack
// machine of data/pickle_reader.cpp.
#include <string>

#include "data/pickle_value.h"

namespace pelnas::pickle {

// What was wrong with a callable or its arguments; the reader adds the file name and the byte
// offset of the opcode.
struct Fault {
  std::string what;
};

// A Global value for module.name, or a Fault unless it is whitelisted.
ValuePtr whitelisted_global(const std::string& module, const std::string& name);
// REDUCE: fn(*args) for a Global fn (a dtype, a scalar, an array, bytes, or a pending array that
// BUILD completes).
ValuePtr reduce(const Value& fn, const Value& args);
// BUILD: applies `state` to a dtype (its byte order) or a pending array (replaced by the array).
void build(ValuePtr& obj, const Value& state);

}  // namespace pelnas::pickle
