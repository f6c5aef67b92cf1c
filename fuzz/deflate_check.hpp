// Fuzz property check for permessage-deflate (src/ws/deflate.hpp and the compressed path of
// src/ws/message_reader.hpp), differential against zlib used directly. See fuzz_support.hpp
// for the check-function convention.
//
// Input: [options][seed][seed][data...]
//   options bits 0-3: window bits 9..15 for the Deflater (values above 6 read as 15);
//   options bit 4:    the data is used as COMPRESSED payload (hostile bytes), else as a message;
//   options bits 5-7: max_message_size, one of kMaxSizes;
//   seed: the PRNG that chooses fragment sizes, split points and output room.
//
// Properties, for a message (bit 4 clear):
//  - Deflater::compress_message output never ends with 00 00 ff ff, and zlib's own raw inflate
//    of it plus the tail gives back the data (round trip through an independent inflater);
//  - zlib's own deflate (sync flush, tail removed) of the data, inflated by our Inflater with
//    random output room, gives back the data;
//  - the compressed message, cut into random fragments (RSV1 on the first only, masked), fed
//    to a MessageReader with deflate on in random pieces, is delivered byte for byte when it
//    fits max_message_size, or refused with 1009 when the data is longer.
// For hostile compressed bytes (bit 4 set):
//  - the reader delivers a message exactly when zlib's own inflate of the bytes plus the tail
//    succeeds within max_message_size, with the same bytes; a zlib error gives 1007, a result
//    over the cap 1009; the reader never holds more than max_message_size + 1 bytes.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "ws/close_code.hpp"
#include "ws/deflate.hpp"
#include "ws/message_reader.hpp"

namespace wsrelay::fuzz {

namespace deflate_check {

inline constexpr uint64_t kMaxSizes[8] = {64 * 1024, 0, 1, 100, 1000, 4096, 65536, 1 << 20};
inline constexpr uint8_t kTail[4] = {0x00, 0x00, 0xff, 0xff};

// zlib's own raw inflate of `data` + tail, stopping once more than `cap` bytes came out.
// Returns false on a zlib error; `over` says the cap was passed.
inline bool zlib_inflate(std::span<const uint8_t> data, uint64_t cap, Bytes& out, bool& over) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return false;
  Bytes input(data.begin(), data.end());
  input.insert(input.end(), kTail, kTail + 4);
  z.next_in = input.data();
  z.avail_in = static_cast<uInt>(input.size());
  over = false;
  bool ok = true;
  uint8_t buffer[4096];
  for (;;) {
    z.next_out = buffer;
    z.avail_out = sizeof(buffer);
    const int rc = inflate(&z, Z_SYNC_FLUSH);
    out.insert(out.end(), buffer, buffer + (sizeof(buffer) - z.avail_out));
    if (out.size() > cap) {
      over = true;
      break;
    }
    if (rc == Z_STREAM_END) {
      // A BFINAL block ended the stream: what follows starts a new one (as our Inflater does).
      if (z.avail_in == 0) break;
      inflateReset(&z);
      continue;
    }
    if (rc == Z_BUF_ERROR) break;  // no progress: all input used
    if (rc != Z_OK) {
      ok = false;
      break;
    }
    if (z.avail_in == 0 && z.avail_out != 0) break;
  }
  inflateEnd(&z);
  return ok;
}

inline Bytes zlib_deflate(std::span<const uint8_t> data, int bits) {
  z_stream z{};
  Bytes out(compressBound(static_cast<uLong>(data.size())) + 64);
  if (deflateInit2(&z, 6, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_SYNC_FLUSH);
  const size_t produced = out.size() - z.avail_out;
  deflateEnd(&z);
  // Drop the unused room and the 00 00 ff ff tail (erase, not resize: only ever shrinks).
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(produced >= 4 ? produced - 4 : produced), out.end());
  return out;
}

class Recorder : public ws::MessageHandler {
 public:
  std::vector<Bytes> messages;
  std::vector<uint16_t> errors;
  bool on_message(ws::MessageKind, std::span<const uint8_t> payload) override {
    messages.emplace_back(payload.begin(), payload.end());
    return true;
  }
  bool on_ping(std::span<const uint8_t>) override { return true; }
  bool on_pong(std::span<const uint8_t>) override { return true; }
  void on_close(uint16_t, std::string_view) override {}
  void on_protocol_error(uint16_t code, std::string_view) override { errors.push_back(code); }
};

// A masked binary message of `payload`, in random fragments, RSV1 on the first.
inline Bytes frames_of(std::span<const uint8_t> payload, Rng& rng) {
  Bytes out;
  size_t at = 0;
  bool first = true;
  do {
    const size_t size =
        std::min(payload.size() - at, rng.one_in(2) ? payload.size() : 1 + rng.below(300));
    const bool fin = at + size == payload.size();
    out.push_back(
        static_cast<uint8_t>((fin ? 0x80 : 0) | (first ? 0x40 : 0) | (first ? 0x2 : 0x0)));
    if (size < 126) {
      out.push_back(static_cast<uint8_t>(0x80 | size));
    } else if (size < 65536) {
      out.push_back(0x80 | 126);
      out.push_back(static_cast<uint8_t>(size >> 8));
      out.push_back(static_cast<uint8_t>(size));
    } else {
      out.push_back(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(uint64_t{size} >> shift));
    }
    const uint8_t mask[4] = {static_cast<uint8_t>(rng.next()), 0x5a, 0x00, 0xc3};
    out.insert(out.end(), mask, mask + 4);
    for (size_t i = 0; i < size; ++i) out.push_back(payload[at + i] ^ mask[i % 4]);
    at += size;
    first = false;
  } while (at < payload.size());
  return out;
}

inline std::string read_compressed(std::span<const uint8_t> payload, uint64_t max, Rng& rng,
                                   Recorder& recorder, size_t& peak) {
  Bytes stream = frames_of(payload, rng);
  ws::ReaderLimits limits;
  limits.max_message_size = max;
  limits.allowed_rsv = 0b100;
  limits.deflate = true;
  ws::MessageReader reader(limits);
  size_t at = 0;
  peak = 0;
  for (size_t piece : random_pieces(stream.size(), rng)) {
    std::span<uint8_t> part(stream.data() + at, piece);
    at += piece;
    const ws::ReadStatus status = reader.feed(part, recorder);
    peak = std::max(peak, reader.buffered_bytes());
    if (status == ws::ReadStatus::kFailed) break;
    if (status != ws::ReadStatus::kOk) return "unexpected reader status";
  }
  return "";
}

}  // namespace deflate_check

inline std::string check_deflate(std::span<const uint8_t> input) {
  using namespace deflate_check;
  const uint8_t options = input.empty() ? 0 : input[0];
  const int bits = (options & 0xF) <= 6 ? 9 + (options & 0xF) : 15;
  const bool hostile = (options & 0x10) != 0;
  const uint64_t max = kMaxSizes[options >> 5];
  Rng rng(seed_from(clamped(input, 1, 2)));
  const std::span<const uint8_t> data =
      input.size() > 3 ? input.subspan(3) : std::span<const uint8_t>();

  if (!hostile) {
    ws::Deflater deflater(static_cast<uint8_t>(bits), static_cast<uint8_t>(1 + rng.below(9)));
    Bytes packed;
    if (!deflater.compress_message(data, packed, rng.one_in(2))) return "compress_message failed";
    if (packed.size() >= 4 && std::equal(packed.end() - 4, packed.end(), kTail))
      return "tail not removed";
    Bytes back;
    bool over = false;
    if (!zlib_inflate(packed, UINT64_MAX, back, over) || back != Bytes(data.begin(), data.end())) {
      return "zlib's inflate does not give back the data (" + std::to_string(data.size()) +
             " bytes)";
    }
    // zlib's deflate, our Inflater, random output room.
    Bytes theirs = zlib_deflate(data, bits);
    theirs.insert(theirs.end(), kTail, kTail + 4);
    ws::Inflater inflater(static_cast<uint8_t>(bits));
    Bytes ours;
    size_t used = 0;
    for (int guard = 0; guard < 1'000'000; ++guard) {
      Bytes room(1 + rng.below(3000));
      const ws::InflateStep step =
          inflater.inflate(std::span<const uint8_t>(theirs).subspan(used), room);
      if (step.status == ws::InflateStatus::kError)
        return "Inflater rejected zlib's deflate output";
      used += step.consumed;
      ours.insert(ours.end(), room.begin(),
                  room.begin() + static_cast<std::ptrdiff_t>(step.produced));
      if (step.status == ws::InflateStatus::kOk) break;
    }
    if (used != theirs.size() || ours != Bytes(data.begin(), data.end()))
      return "Inflater round trip differs";
    // Through the reader, fragmented.
    Recorder recorder;
    size_t peak = 0;
    const std::string failure = read_compressed(packed, max, rng, recorder, peak);
    if (!failure.empty()) return failure;
    if (data.size() <= max) {
      if (recorder.messages.size() != 1 ||
          recorder.messages[0] != Bytes(data.begin(), data.end())) {
        return "reader did not deliver the message";
      }
    } else if (recorder.errors != std::vector<uint16_t>{ws::close_code::kMessageTooBig}) {
      return "oversized message not refused with 1009";
    }
    if (peak > max + 1 + 125) return "reader held more than the cap";
    return "";
  }

  // Hostile compressed payload.
  Bytes expected;
  bool over = false;
  const bool ok = zlib_inflate(data, max, expected, over);
  Recorder recorder;
  size_t peak = 0;
  const std::string failure = read_compressed(data, max, rng, recorder, peak);
  if (!failure.empty()) return failure;
  if (peak > max + 1 + 125) return "reader held more than the cap: " + std::to_string(peak);
  // The reader refuses compressed wire bytes beyond this at the frame header (1009).
  const uint64_t wire_limit = max + max / 8 + 1024;
  if (data.size() > wire_limit) {
    // Refused at the latest by the frame header that crosses the limit (1009); an earlier
    // fragment may already have inflated past the cap (1009) or proved invalid (1007, which
    // zlib must confirm).
    if (!recorder.messages.empty() || recorder.errors.size() != 1)
      return "compressed payload over the wire limit not refused";
    const uint16_t code = recorder.errors[0];
    if (code != ws::close_code::kMessageTooBig && !(code == ws::close_code::kInvalidPayload && !ok))
      return "compressed payload over the wire limit not refused with 1009";
    return "";
  }
  if (ok && !over) {
    if (recorder.messages.size() != 1 || recorder.messages[0] != expected) {
      return "reader and zlib disagree on valid data (" + std::to_string(recorder.errors.size()) +
             " errors)";
    }
  } else {
    // Over the cap, or invalid (which one is seen first may differ by where zlib's output
    // was cut): refused either way, and invalid data within the cap is always 1007.
    if (!recorder.messages.empty() || recorder.errors.size() != 1)
      return "reader accepted data zlib rejects";
    const uint16_t code = recorder.errors[0];
    if (code != ws::close_code::kMessageTooBig && code != ws::close_code::kInvalidPayload)
      return "wrong close code";
    if (!over && code != ws::close_code::kInvalidPayload)
      return "invalid data within the cap not refused with 1007";
  }
  return "";
}

}  // namespace wsrelay::fuzz
