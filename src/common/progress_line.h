#pragma once
// One status line redrawn in place on stderr (progress bars of `search` and `proxies`), which log
// messages never break: the logger's sink (make_progress_aware_sink) clears the line, prints the
// message above it and redraws the line. Nothing is drawn unless stderr is a terminal.
#include <memory>
#include <mutex>
#include <string>

#include <spdlog/sinks/sink.h>

namespace pelnas {

class ProgressLine {
 public:
  static ProgressLine& instance();
  // Whether stderr is a terminal (the line is drawn only then).
  bool enabled() const { return enabled_; }
  void show(const std::string& text);  // replaces the line's text and redraws it
  void finish();                       // ends the line with a newline; the next show() starts a new one
  // Runs `write` (which prints whole lines to stderr) with the line cleared, then redraws it.
  template <class F>
  void around(F&& write) {
    std::lock_guard lock(mutex_);
    if (active_) std::fputs("\r\033[K", stderr);
    write();
    if (active_) draw_locked();
  }

 private:
  ProgressLine();
  void draw_locked();
  std::mutex mutex_;
  bool enabled_ = false, active_ = false;
  std::string text_;
};

// A stderr sink (coloured where the terminal supports it) that prints above the progress line.
std::shared_ptr<spdlog::sinks::sink> make_progress_aware_sink();

}  // namespace pelnas
