// The chat client over HTTPS against a local TLS server with a certificate made here: it trusts
// the certificate only when told to (ca_cert_path / $PELNAS_LLM_CA_BUNDLE), and otherwise fails
// with a verification error rather than talking to an unverified server.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "common/error.h"
#include "llm/chat_client.h"
#include "test_support.h"

namespace pelnas::llm {
namespace {

// A self-signed P-256 certificate for 127.0.0.1 (its own CA), written as PEM files.
void write_self_signed(const std::string& cert_path, const std::string& key_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    ASSERT_NE(ext, nullptr);
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  ASSERT_GT(X509_sign(x.get(), key.get(), EVP_sha256()), 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, x.get());
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

class TlsChatServer {
 public:
  TlsChatServer(const std::string& cert, const std::string& key) : server_(cert.c_str(), key.c_str()) {
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      authorization_ = req.get_header_value("Authorization");
      res.set_content(R"({"choices":[{"message":{"role":"assistant","content":"over tls"}}],)"
                      R"("usage":{"prompt_tokens":3,"completion_tokens":2}})",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 400 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~TlsChatServer() {
    server_.stop();
    thread_.join();
  }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int requests() const { return requests_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> requests_{0};
  std::string authorization_;
};

ChatClientOptions options_for(const TlsChatServer& server) {
  ChatClientOptions o;
  o.base_url = server.base_url();
  o.model = "tls-model";
  o.timeout_seconds = 5;
  o.max_attempts = 1;
  return o;
}

TEST(ChatClientHttps, TalksTlsToAServerItWasToldToTrustAndRefusesOthers) {
  const std::string dir = test::temp_dir("tls");
  write_self_signed(dir + "/cert.pem", dir + "/key.pem");
  if (HasFatalFailure()) return;
  ::unsetenv(kCaBundleEnv);
  TlsChatServer server(dir + "/cert.pem", dir + "/key.pem");

  auto trusted = options_for(server);
  trusted.ca_cert_path = dir + "/cert.pem";
  const ChatReply r = ChatClient(trusted).complete({{"user", "hello"}});
  EXPECT_EQ(r.content, "over tls");
  EXPECT_EQ(r.usage.completion_tokens, 2);
  EXPECT_EQ(server.requests(), 1);

  // The same through $PELNAS_LLM_CA_BUNDLE, as a user behind a private CA would set it.
  ::setenv(kCaBundleEnv, (dir + "/cert.pem").c_str(), 1);
  auto from_env = ChatClientOptions::from_environment();
  ::unsetenv(kCaBundleEnv);
  EXPECT_EQ(from_env.ca_cert_path, dir + "/cert.pem");
  from_env.base_url = server.base_url();
  from_env.model = "tls-model";
  from_env.max_attempts = 1;
  EXPECT_EQ(ChatClient(from_env).complete({{"user", "hello"}}).content, "over tls");

  // Not trusted (system store only): the handshake fails verification; no request is served.
  const std::string err = test::error_of([&] { ChatClient(options_for(server)).complete({{"user", "hello"}}); });
  EXPECT_NE(err.find("SSL"), std::string::npos) << err;
  EXPECT_EQ(server.requests(), 2);

  auto missing = options_for(server);
  missing.ca_cert_path = dir + "/nope.pem";
  const std::string bad = test::error_of([&] { missing.validate(); });
  EXPECT_NE(bad.find("ca_cert_path"), std::string::npos) << bad;
  EXPECT_NE(bad.find("nope.pem"), std::string::npos) << bad;
}

}  // namespace
}  // namespace pelnas::llm
