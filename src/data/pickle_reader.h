#pragma once
// A whitelisting reader for Python pickles (protocols 2-5) of plain data: nested dicts / lists /
// tuples of None, bools, ints, floats, str and bytes, plus the few NumPy reductions that store
// float arrays and scalars. It is a small stack VM, not a general unpickler: any GLOBAL outside
// the NumPy / _codecs whitelist (e.g. os.system) is refused, so a hostile file cannot run code.
// Errors (pelnas::Error) name the byte offset of the failing opcode.
// See ../shared/docs/HWNASBENCH_PICKLE.md §4 for the encodings handled. The values:
// data/pickle_value.h; the whitelisted callables: data/pickle_callables.h.
#include <string>
#include <string_view>

#include "data/pickle_value.h"

namespace pelnas::pickle {

// Parses a whole pickle held in memory. `name` is used in error messages (e.g. the file path).
ValuePtr parse(std::string_view bytes, const std::string& name = "pickle");
// Reads and parses a file.
ValuePtr read_file(const std::string& path);

}  // namespace pelnas::pickle
