#pragma once
// The told values of a study, one JSON line per tell, in the run directory (tells.jsonl):
//   {"arch": "|nor_conv_3x3~0|+...", "values": [93.1, 2.4]}    or    {"arch": "...", "failed": "reason"}
// A tell is one write(2) (a killed process loses nothing it acknowledged); the file is synced
// when a batch completes at most once a second, and when the search ends. On resume the search is replayed with the
// same seed and answered from this file, so the asks repeat exactly and only what was pending
// is asked again. A torn last line (killed mid-write) was never acknowledged and is dropped.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace pelnas {

struct ToldValues {
  std::vector<double> values;  // empty when failed
  std::string failure;         // non-empty = tell_failed(reason)
  bool failed() const { return !failure.empty(); }
};

class TellJournal {
 public:
  static constexpr const char* kFile = "tells.jsonl";
  // Reads `path` if it exists (entries keyed by arch string, checked against `arity`; errors name
  // the file and line), drops a torn last line, then opens it for appending.
  TellJournal(std::string path, std::size_t arity);
  ~TellJournal();
  TellJournal(const TellJournal&) = delete;
  TellJournal& operator=(const TellJournal&) = delete;

  const std::map<std::string, ToldValues>& recorded() const { return recorded_; }
  // Appends one line with one write(2); throws pelnas::Error naming the file on failure.
  void append(const std::string& arch, const ToldValues& told);
  void sync();  // fdatasync: what was appended survives a machine crash too

 private:
  std::string path_;
  int fd_ = -1;
  std::map<std::string, ToldValues> recorded_;
};

// Checks told values against the names they stand for: the count, each finite, an accuracy in
// [0, 100] (percent), a cost >= 0. Throws pelnas::Error "<who>: ..." naming the value.
void check_told_values(const std::vector<double>& values, const std::vector<std::string>& names, const std::string& who);

}  // namespace pelnas
