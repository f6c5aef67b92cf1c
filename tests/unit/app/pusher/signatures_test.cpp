// Pusher signatures against the worked examples of Pusher's own documentation (auth-signatures
// and the REST API "Worked example"), plus every way a signature can be wrong.
#include "app/pusher/signatures.hpp"

#include <doctest/doctest.h>

namespace wsrelay::app::pusher {
namespace {

constexpr std::string_view kKey = "278d425bdf160c739803";
constexpr std::string_view kSecret = "7ad3773142a6692b25b8";
constexpr std::string_view kPrivateAuth =
    "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
constexpr std::string_view kBody =
    R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})";
constexpr std::string_view kQuery =
    "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5="
    "ec365a775a4cd0599faeb73354201b6f"
    "&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";
constexpr int64_t kNow = 1353088179;

}  // namespace

TEST_CASE("channel auth: Pusher's documented private and presence examples") {
  CHECK(sign_auth(kKey, kSecret, channel_string_to_sign("1234.1234", "private-foobar", "")) ==
        kPrivateAuth);
  CHECK(verify_auth(kPrivateAuth, kKey, kSecret, "1234.1234:private-foobar"));
  const std::string data = R"({"user_id":10,"user_info":{"name":"Mr. Channels"}})";
  CHECK(sign_auth(kKey, kSecret, channel_string_to_sign("1234.1234", "presence-foobar", data)) ==
        "278d425bdf160c739803:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80");
}

TEST_CASE("channel auth: every wrong part is refused") {
  const std::string upper =
      std::string(kKey) + ":58DF8B0C36D6982B82C3ECF6B4662E34FE8C25BBA48F5369F135BF843651C3A4";
  CHECK(verify_auth(upper, kKey, kSecret, "1234.1234:private-foobar"));  // hex in either case
  CHECK_FALSE(
      verify_auth(kPrivateAuth, kKey, kSecret, "1234.1235:private-foobar"));  // other socket
  CHECK_FALSE(
      verify_auth(kPrivateAuth, kKey, kSecret, "1234.1234:private-foobaz"));  // other channel
  CHECK_FALSE(verify_auth(kPrivateAuth, kKey, "other-secret", "1234.1234:private-foobar"));
  CHECK_FALSE(verify_auth(kPrivateAuth, "otherkey", kSecret, "1234.1234:private-foobar"));
  CHECK_FALSE(verify_auth(kPrivateAuth.substr(0, kPrivateAuth.size() - 2), kKey, kSecret,
                          "1234.1234:private-foobar"));
  CHECK_FALSE(
      verify_auth(std::string(kPrivateAuth) + "00", kKey, kSecret, "1234.1234:private-foobar"));
  CHECK_FALSE(verify_auth(std::string(kPrivateAuth).replace(30, 1, "z"), kKey, kSecret,
                          "1234.1234:private-foobar"));
  CHECK_FALSE(verify_auth("no-colon", kKey, kSecret, "1234.1234:private-foobar"));
  CHECK_FALSE(verify_auth("", kKey, kSecret, "x"));
  CHECK_FALSE(verify_auth(":", "", kSecret, "x"));
}

TEST_CASE("REST: Pusher's worked example verifies; each tampering is named") {
  CHECK(md5_hex(kBody) == "ec365a775a4cd0599faeb73354201b6f");
  CHECK(verify_rest_request("POST", "/apps/3/events", kQuery, kBody, kKey, kSecret, kNow) ==
        RestAuthProblem::kNone);
  CHECK(verify_rest_request("POST", "/apps/3/events", kQuery, kBody, kKey, kSecret, kNow + 600) ==
        RestAuthProblem::kNone);
  CHECK(verify_rest_request("POST", "/apps/3/events", kQuery, kBody, kKey, kSecret, kNow + 601) ==
        RestAuthProblem::kStale);
  CHECK(verify_rest_request("POST", "/apps/3/events", kQuery, kBody, kKey, kSecret, kNow - 601) ==
        RestAuthProblem::kStale);
  CHECK(verify_rest_request("GET", "/apps/3/events", kQuery, kBody, kKey, kSecret, kNow) ==
        RestAuthProblem::kBadSignature);
  CHECK(verify_rest_request("POST", "/apps/4/events", kQuery, kBody, kKey, kSecret, kNow) ==
        RestAuthProblem::kBadSignature);
  CHECK(verify_rest_request("POST", "/apps/3/events", kQuery, std::string(kBody) + " ", kKey,
                            kSecret, kNow) == RestAuthProblem::kBadBodyMd5);
  CHECK(verify_rest_request("POST", "/apps/3/events", kQuery, kBody, "otherkey", kSecret, kNow) ==
        RestAuthProblem::kWrongKey);
  CHECK(verify_rest_request("POST", "/apps/3/events", kQuery, kBody, kKey, "wrong", kNow) ==
        RestAuthProblem::kBadSignature);
  // An extra parameter added after signing is covered by the signature.
  CHECK(verify_rest_request("POST", "/apps/3/events", std::string(kQuery) + "&info=x", kBody, kKey,
                            kSecret, kNow) == RestAuthProblem::kBadSignature);
  CHECK(verify_rest_request("POST", "/apps/3/events", "auth_key=278d425bdf160c739803", kBody, kKey,
                            kSecret, kNow) == RestAuthProblem::kMissing);
  CHECK(verify_rest_request("POST", "/apps/3/events", "auth_key=%zz", kBody, kKey, kSecret, kNow) ==
        RestAuthProblem::kMissing);
  // A body with no body_md5 at all.
  const std::string no_md5 =
      "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&auth_signature=00";
  CHECK(verify_rest_request("POST", "/apps/3/events", no_md5, kBody, kKey, kSecret, kNow) ==
        RestAuthProblem::kBadBodyMd5);
  CHECK(verify_rest_request("POST", "/apps/3/events",
                            "auth_key=278d425bdf160c739803&auth_timestamp=13x&auth_signature=0", "",
                            kKey, kSecret, kNow) == RestAuthProblem::kStale);
}

TEST_CASE("REST: the string to sign sorts decoded parameters and leaves out auth_signature") {
  std::vector<std::pair<std::string, std::string>> params;
  REQUIRE(parse_query("b=2&auth_signature=x&a=hello+world%21&c", params));
  CHECK(rest_string_to_sign("GET", "/apps/1/channels", params) ==
        "GET\n/apps/1/channels\na=hello world!&b=2&c=");
  CHECK_FALSE(parse_query("a=%4", params));
}

}  // namespace wsrelay::app::pusher
