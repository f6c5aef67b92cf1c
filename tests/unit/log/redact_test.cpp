// Redaction: every credential shape the logs promise to mask, and text that must survive.
#include <doctest/doctest.h>

#include <string>

#include "log/redact.hpp"

using wsrelay::log::redact;
using wsrelay::log::Redactor;

TEST_CASE("redact: query-string and key=value credentials") {
  CHECK(redact("GET /ws?token=abc.def&room=x HTTP/1.1") ==
        "GET /ws?token=[redacted]&room=x HTTP/1.1");
  CHECK(redact("/ws?room=a&access_token=xyz") == "/ws?room=a&access_token=[redacted]");
  CHECK(redact("api_key=K123 other=1") == "api_key=[redacted] other=1");
  CHECK(redact("X-Api-Key=abc") == "X-Api-Key=[redacted]");
  CHECK(redact("apikey=abc;next") == "apikey=[redacted];next");
  CHECK(redact("auth_secret=hunter2") == "auth_secret=[redacted]");
  CHECK(redact("PASSWORD=pw") == "PASSWORD=[redacted]");
  CHECK(redact("auth=key:sig rest") == "auth=[redacted] rest");
  // Quoted values are masked whole, the quotes kept.
  CHECK(redact("token=\"a b c\" next=1") == "token=\"[redacted]\" next=1");
  CHECK(redact("token='a b' x") == "token='[redacted]' x");
  // Unterminated quote: everything after is treated as the value.
  CHECK(redact("token=\"abc and more") == "token=\"[redacted]");
  // Base64 padding is part of the value.
  CHECK(redact("token=YWJj== x") == "token=[redacted] x");
}

TEST_CASE("redact: Authorization schemes") {
  CHECK(redact("Authorization: Bearer abc.DEF-123_~+/=") == "Authorization: Bearer [redacted]");
  CHECK(redact("authorization: bearer abc, next") == "authorization: bearer [redacted], next");
  CHECK(redact("Basic dXNlcjpwYXNz") == "Basic [redacted]");
  CHECK(redact("BEARER   spaced") == "BEARER   [redacted]");
}

TEST_CASE("redact: JSON members, plain and escaped") {
  CHECK(redact(R"({"event":"auth","token":"abc"})") == R"({"event":"auth","token":"[redacted]"})");
  CHECK(redact(R"({"token" : "abc", "x":1})") == R"({"token" : "[redacted]", "x":1})");
  CHECK(redact(R"({"token":"a\"b","x":1})") == R"({"token":"[redacted]","x":1})");
  CHECK(redact(R"({"api_key":12345,"x":1})") == R"({"api_key":[redacted],"x":1})");
  // Pusher-style subscription signature.
  CHECK(redact(R"({"channel":"private-a","auth":"key:abcdef"})") ==
        R"({"channel":"private-a","auth":"[redacted]"})");
  // JSON quoted inside another string (a logged message body).
  CHECK(redact(R"(body="{\"token\":\"abc\",\"x\":1}")") ==
        R"(body="{\"token\":\"[redacted]\",\"x\":1}")");
}

TEST_CASE("redact: JWT-shaped strings anywhere") {
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl-_x";
  CHECK(redact("got " + jwt + " end") == "got [redacted] end");
  CHECK(redact("(" + jwt + ")") == "([redacted])");
  CHECK(redact("glued" + jwt) == "glued[redacted]");
  // JWE compact form: five parts, one of them empty.
  CHECK(redact("eyJhbGciOiJkaXIifQ..aXY.Y2lwaGVy.dGFn") == "[redacted]");
}

TEST_CASE("redact: ordinary text is left alone") {
  for (const char* text : {
           "conn 12 open peer=10.0.0.1:5555 room=general",
           "close code=1000 reason=\"bye\"",
           R"({"event":"auth","room":"general"})",  // the value "auth" is not a member name
           "tokenize this, monkey=1 keyboard=2",
           "eyJ alone, eyJabc.def (one dot)",
           "Bearer",  // no value after the scheme
           "unicode é ü 日本",
       }) {
    CHECK(redact(text) == text);
  }
}

TEST_CASE("redact: registered secrets are masked wherever they appear") {
  Redactor redactor;
  redactor.add_secret("");  // ignored, would otherwise match everywhere
  redactor.add_secret("S3cr3t-Key-0123456789");
  redactor.add_secret("S3cr3t-Key-0123456789");  // duplicates are harmless
  CHECK(redactor.redact("a S3cr3t-Key-0123456789 b S3cr3t-Key-0123456789c") == "a [redacted] b [redacted]c");
  CHECK(redactor.redact("no secret here") == "no secret here");
  // Shapes still apply with secrets registered.
  CHECK(redactor.redact("token=zzz") == "token=[redacted]");
  redactor.clear_secrets();
  CHECK(redactor.redact("S3cr3t-Key-0123456789") == "S3cr3t-Key-0123456789");
}

TEST_CASE("redact: short dictionary-word secrets do not mask ordinary words") {
  // auth_secret=open used to turn "open 127.0.0.1:5000 /ws" into "[redacted] 127.0.0.1:5000
  // /ws", which broke the line AND told the reader the secret. Short secrets are masked only
  // where a credential can appear (the shapes).
  Redactor redactor;
  for (const char* secret : {"open", "the", "ws", "close", "0123456789abcde"}) redactor.add_secret(secret);
  CHECK(redactor.redact("open 127.0.0.1:5000 /ws") == "open 127.0.0.1:5000 /ws");
  CHECK(redactor.redact("close 127.0.0.1:5000 code=1000 reason=\"the end\" by client") ==
        "close 127.0.0.1:5000 code=1000 reason=\"the end\" by client");
  // Where a credential is used, it is still masked, whatever its length.
  CHECK(redactor.redact("GET /ws?token=open -> 101") == "GET /ws?token=[redacted] -> 101");
  CHECK(redactor.redact("auth_secret=the api_key=ws") == "auth_secret=[redacted] api_key=[redacted]");
  CHECK(redactor.redact("Authorization: Bearer ws") == "Authorization: Bearer [redacted]");
  CHECK(redactor.redact("{\"type\":\"auth\",\"token\":\"open\"}") == "{\"type\":\"auth\",\"token\":\"[redacted]\"}");
  CHECK(redactor.redact("authorization=open") == "authorization=[redacted]");
}

TEST_CASE("redact: a secret never survives, whatever surrounds it") {
  // Put each credential in many contexts and at every offset of a carrier text.
  const std::string secret = "Zq9xK2mPw7-long-enough";
  const std::string carrier = "ab=c&d \"e\":f g";
  const char* const contexts[] = {"token=%",       "?x=1&token=%&y=2",
                                  "Bearer %",      "{\"token\":\"%\"}",
                                  "api_key=\"%\"", "Authorization: Basic %"};
  for (const char* context : contexts) {
    std::string shaped = context;
    shaped.replace(shaped.find('%'), 1, secret);
    for (size_t at = 0; at <= carrier.size(); ++at) {
      std::string text = carrier;
      text.insert(at, shaped);
      const std::string out = redact(text);
      INFO("input: " << text << "  output: " << out);
      CHECK(out.find(secret) == std::string::npos);
    }
  }
  Redactor redactor;
  redactor.add_secret(secret);
  for (size_t at = 0; at <= carrier.size(); ++at) {
    std::string text = carrier;
    text.insert(at, secret);
    CHECK(redactor.redact(text).find(secret) == std::string::npos);
  }
}
