#pragma once
// Errors a user can cause (bad input, missing files, invalid options). The CLI maps them to exit
// code 2 with the message on stderr; anything else escaping is a bug.
#include <stdexcept>
#include <string>

namespace pelnas {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A malformed input at a known place: "<file>:<line>: <what>".
class InputError : public Error {
 public:
  InputError(const std::string& file, long line, const std::string& what) : Error(format(file, line, what)) {}

 private:
  static std::string format(const std::string& file, long line, const std::string& what) {
    std::string s = file;
    if (line > 0) s.append(":").append(std::to_string(line));
    s.append(": ").append(what);
    return s;
  }
};

}  // namespace pelnas
