#pragma once
// Append-only JSON-lines files (the run journal, the knowledge history): one JSON value per line,
// each ending in '\n'. A last line without its newline was cut by a kill mid-write: it never
// completed, so it is not read.
#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace pelnas {

// Calls visit(value, line number, end of that line) for each complete line of `text` in order and
// returns where the complete lines end (what a torn last line would be cut to). A line that is not
// JSON is an error "malformed JSON <kind>: ..." (kind says what the file holds, e.g. "record (an
// edited or damaged journal)"); it, and any pelnas::Error from `visit`, becomes an InputError
// naming `path` and the line.
std::size_t for_each_json_line(const std::string& text, const std::string& path, const std::string& kind,
                               const std::function<void(nlohmann::json&, long, std::size_t)>& visit);

}  // namespace pelnas
