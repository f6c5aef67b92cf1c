#include "app/pusher/webhook_format.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/auth/hmac_sha256.hpp"

namespace wsrelay::app::pusher {

namespace {

constexpr std::string_view kNames[kWebhookKindCount] = {
    "channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event",
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& writer, std::string_view key, std::string_view value) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string_view webhook_kind_name(WebhookKind kind) { return kNames[static_cast<unsigned>(kind)]; }

bool parse_webhook_kinds(std::string_view text, WebhookKindSet& out, std::string& error) {
  const std::string_view whole = trim(text);
  if (whole == "all" || whole == "*") {
    out = kAllWebhookKinds;
    return true;
  }
  WebhookKindSet set = 0;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view word = trim(text.substr(0, comma));
    int found = -1;
    for (int i = 0; i < kWebhookKindCount; ++i) {
      if (word == kNames[i]) found = i;
    }
    if (found < 0) {
      error = word.empty() ? "empty event name in the list"
                           : "unknown webhook event '" + std::string(word) +
                                 "' (channel_occupied, channel_vacated, member_added, member_removed, client_event, or all)";
      return false;
    }
    const WebhookKindSet bit = kind_bit(static_cast<WebhookKind>(found));
    if ((set & bit) != 0) {
      error = "webhook event '" + std::string(word) + "' listed twice";
      return false;
    }
    set |= bit;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  out = set;
  return true;
}

std::string format_webhook_body(int64_t time_ms, std::span<const WebhookEvent> events) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("time_ms");
  writer.Int64(time_ms);
  writer.Key("events");
  writer.StartArray();
  for (const WebhookEvent& event : events) {
    writer.StartObject();
    write_string(writer, "name", webhook_kind_name(event.kind));
    write_string(writer, "channel", event.channel);
    switch (event.kind) {
      case WebhookKind::kMemberAdded:
      case WebhookKind::kMemberRemoved:
        write_string(writer, "user_id", event.user_id);
        break;
      case WebhookKind::kClientEvent:
        write_string(writer, "event", event.event);
        write_string(writer, "data", event.data);
        write_string(writer, "socket_id", event.socket_id);
        if (!event.user_id.empty()) write_string(writer, "user_id", event.user_id);
        break;
      case WebhookKind::kChannelOccupied:
      case WebhookKind::kChannelVacated:
        break;
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  const auto mac = auth::hmac_sha256(secret, body);
  if (!mac) return hex;  // OpenSSL failed: an empty signature, which every receiver refuses
  hex.reserve(64);
  for (uint8_t byte : *mac) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 15]);
  }
  return hex;
}

}  // namespace wsrelay::app::pusher
