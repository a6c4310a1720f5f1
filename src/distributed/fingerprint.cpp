#include "distributed/fingerprint.h"

#include <openssl/evp.h>

#include <fstream>
#include <memory>

#include "common/error.h"

namespace pelnas::distributed {

std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot read this input file (every MPI rank needs the same data: a shared "
                                     "file system or an identical copy at the same path)");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw Error("SHA-256 unavailable (OpenSSL)");
  std::string buf(1 << 16, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw InputError(path, 0, "read error while computing its checksum");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 8 && i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string fingerprint_files(const std::vector<std::pair<std::string, std::string>>& inputs, const std::string& extra) {
  std::string s;
  for (const auto& [label, path] : inputs) s += (s.empty() ? "" : "; ") + label + "=sha256:" + file_digest(path);
  if (!extra.empty()) s += (s.empty() ? "" : "; ") + extra;
  return s;
}

}  // namespace pelnas::distributed
