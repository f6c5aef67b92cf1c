// Fuzz property check for the client's HTTP/1.1 response parser (src/http/client/
// response_parser.hpp). See fuzz_support.hpp for the convention.
//
// Input: [limits][seed][seed][response bytes...]
//   limits: low 4 bits pick max_head_bytes, high 4 bits max_body (kLimits); seed: the PRNG
//   choosing how the bytes are split into reads.
//
// The client keeps head bytes and re-parses them after each read; once the head is complete,
// body bytes go to the BodyDecoder piece by piece. Properties: the verdict (head status, HTTP
// status, body status, bytes used, and the decoded body unless it hit the cap) is the same for
// the one-shot parse, for random splits and for one byte at a time; consumed never passes the
// input; a decoded body never passes the cap; a complete head's views lie inside the input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "http/client/response_parser.hpp"

namespace wsrelay::fuzz {

namespace http_response_check {

inline constexpr size_t kLimits[16] = {8192, 1, 2, 16, 32, 64, 100, 128, 200, 256, 512, 1024, 4096, 65536, 3, 7};

struct Verdict {
  http::client::HeadStatus head = http::client::HeadStatus::kIncomplete;
  int status = 0;
  http::client::BodyStatus body_status = http::client::BodyStatus::kNeedMore;
  size_t used = 0;
  std::string body;
  std::string problem;

  bool same(const Verdict& o) const {
    return head == o.head && status == o.status && body_status == o.body_status &&
           (body_status == http::client::BodyStatus::kTooLarge || (used == o.used && body == o.body));
  }
};

inline Verdict run(std::string_view input, const std::vector<size_t>& pieces, size_t max_head, size_t max_body) {
  using namespace http::client;
  Verdict v;
  std::string received;
  ResponseHead head;
  BodyDecoder decoder;
  bool in_body = false;
  size_t offset = 0;
  for (size_t piece : pieces) {
    if (piece == 0) continue;  // the client parses when bytes arrive, never on an empty read
    std::string_view data = input.substr(offset, piece);
    offset += piece;
    if (!in_body) {
      received.append(data);
      const HeadResult r = parse_response_head(received, head, max_head);
      v.head = r.status;
      if (r.status == HeadStatus::kIncomplete) continue;
      if (r.status != HeadStatus::kComplete) return v;
      if (r.consumed > received.size()) v.problem = "head consumed past the input";
      for (size_t i = 0; i < head.header_count; ++i) {
        const char* begin = received.data();
        const char* end = begin + r.consumed;
        if (head.headers[i].name.data() < begin || head.headers[i].value.data() + head.headers[i].value.size() > end) {
          v.problem = "a header view outside the head";
        }
      }
      v.status = head.status;
      decoder.reset(body_framing(head, false), max_body);
      in_body = true;
      v.used = r.consumed;
      data = std::string_view(received).substr(r.consumed);
      if (decoder.done()) {
        v.body_status = BodyStatus::kDone;
        return v;
      }
    }
    const BodyResult b = decoder.feed(data, v.body);
    if (b.consumed > data.size()) v.problem = "body consumed past the piece";
    v.body_status = b.status;
    v.used += b.consumed;
    if (v.body.size() > max_body) v.problem = "decoded body over the cap";
    if (b.status != BodyStatus::kNeedMore) return v;
  }
  return v;
}

}  // namespace http_response_check

inline std::string check_http_response(std::span<const uint8_t> input) {
  using namespace http_response_check;
  const std::span<const uint8_t> header = clamped(input, 0, 3);
  const uint8_t limits = header.empty() ? 0 : header[0];
  const size_t max_head = kLimits[limits & 15];
  const size_t max_body = kLimits[limits >> 4];
  const std::string_view bytes = as_text(input.subspan(header.size()));
  Rng rng(seed_from(clamped(input, 1, 2)));

  const Verdict whole = run(bytes, {bytes.size()}, max_head, max_body);
  if (!whole.problem.empty()) return "one shot: " + whole.problem;
  for (int round = 0; round < 4; ++round) {
    const Verdict split = run(bytes, random_pieces(bytes.size(), rng), max_head, max_body);
    if (!split.problem.empty()) return "split: " + split.problem;
    if (!split.same(whole)) return "a split read changed the verdict on " + hex(bytes);
  }
  if (bytes.size() <= 2048) {
    const Verdict single = run(bytes, byte_pieces(bytes.size()), max_head, max_body);
    if (!single.problem.empty()) return "bytewise: " + single.problem;
    if (!single.same(whole)) return "byte-by-byte reads changed the verdict on " + hex(bytes);
  }
  return "";
}

}  // namespace wsrelay::fuzz
