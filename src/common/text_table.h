#pragma once
// A plain left-aligned text table for the CLI's default (human) output.
#include <string>
#include <vector>

namespace pelnas {

std::string format_text_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace pelnas
