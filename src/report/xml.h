#pragma once
// Text for XML/XHTML output: escaping and deterministic number formatting. Every string that goes
// into the report passes through xml_escape, so arch strings, rule texts and LLM rationales can
// never break the document.
#include <string>
#include <string_view>

namespace pelnas::report {

// Escapes & < > " ' (safe in text and in double- or single-quoted attributes). Control
// characters other than tab/newline/CR are not allowed in XML 1.0 and become U+FFFD.
std::string xml_escape(std::string_view text);

// Shortest round-trip-ish rendering for tables and data-* attributes: up to `digits` significant
// digits, no trailing zeros, never locale dependent; NaN/inf become "nan"/"inf".
std::string format_number(double v, int digits = 6);
// Fixed decimals (pixel coordinates, table cells with a fixed precision).
std::string format_fixed(double v, int decimals);

}  // namespace pelnas::report
