#pragma once
// SHA-256 (OpenSSL) as lowercase hex: the checksum of run-state files and journal records, so a
// torn or edited file is recognised as such before any of its fields is trusted.
#include <string>
#include <string_view>

namespace pelnas {

std::string sha256_hex(std::string_view bytes);

}  // namespace pelnas
