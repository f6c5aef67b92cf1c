// JsonProtocol: join/leave notices to the other members of a room, by the room's NoticeMode
// (docs/protocol.md, "Join and leave notices").
//
// `each` writes one user_joined / user_left per change, to every other member: a join to a
// room of N members costs N deliveries, so N clients joining one room cost N²/2 deliveries.
// `batched` keeps the notices (NoticeBatches) until the end of the event-loop iteration, and
// during a burst until kNoticeWindowMs after the previous flush: a single notice still goes out
// as the plain
// user_joined / user_left, so that quiet rooms look exactly as in `each`; two or more become
// ONE members_changed event, one shared payload for every member, with the lists while they
// fit kNoticeListLimit and member_list_limit, and the counts always. `off` sends none (the joiner
// and leaver still get their own room_joined / room_left answers).
#include <algorithm>
#include <utility>

#include "app/json_protocol.hpp"

namespace wsrelay::app {

namespace {
// Batched notices leave at most once per this window (a notice after a quiet window leaves at
// the end of its own loop iteration): a burst of N joins then costs members x bursts/window
// deliveries, not members x iterations.
constexpr int64_t kNoticeWindowMs = 100;
// members_changed lists its notices only up to this many (and member_list_limit): beyond,
// each delivery would copy kilobytes of ids to every member of a large room.
constexpr size_t kNoticeListLimit = 20;
}  // namespace

NoticeMode JsonProtocol::notice_mode(const Room& room) const {
  if (room.declared() != nullptr && room.declared()->notices) return *room.declared()->notices;
  return dispatcher_.options().room_notices;
}

void JsonProtocol::add_notice(const Room& room, NoticeEntry entry) {
  switch (notice_mode(room)) {
    case NoticeMode::kOff:
      return;
    case NoticeMode::kEach:
      if (room.size() == 0) return;  // nobody left to tell
      send_single_notice(room, entry,
                         entry.joined ? dispatcher_.find_client(entry.client_id) : nullptr);
      return;
    case NoticeMode::kBatched:
      notices_.add(room.name(), std::move(entry),
                   std::min(dispatcher_.options().member_list_limit, kNoticeListLimit));
      if (!notices_scheduled_) {
        notices_scheduled_ = true;
        const int64_t since = host_.monotonic_ms() - last_notice_flush_ms_;
        if (last_notice_flush_ms_ == 0 || since >= kNoticeWindowMs) {
          host_.defer(*this);
        } else {
          host_.defer_after(*this, static_cast<uint64_t>(kNoticeWindowMs - since));
        }
      }
      return;
  }
}

void JsonProtocol::run_deferred() {
  notices_scheduled_ = false;
  last_notice_flush_ms_ = host_.monotonic_ms();
  for (auto& [name, batch] : notices_.take_all()) {
    // The room may be gone (emptied and removed) by now: then nobody is left to tell.
    if (const Room* room = dispatcher_.find_room(name); room != nullptr && room->size() > 0) {
      send_notice_batch(*room, batch);
    }
  }
}

void JsonProtocol::flush_notices(const Room& room) {
  if (notices_.empty()) return;
  const NoticeBatch batch = notices_.take(room.name());
  if (batch.total() > 0) send_notice_batch(room, batch);
}

void JsonProtocol::send_notice_batch(const Room& room, const NoticeBatch& batch) {
  if (batch.total() == 1) {
    const NoticeEntry& entry = batch.entries.front();
    send_single_notice(room, entry,
                       entry.joined ? dispatcher_.find_client(entry.client_id) : nullptr);
    return;
  }
  writer_.begin("members_changed");
  write_room_summary(room, false);
  writer_.field("joined_count", batch.joined);
  writer_.field("left_count", batch.left);
  if (!batch.truncated) {
    // In the order they happened; a recipient may find itself in `joined` (one payload is
    // shared by every member, so it is not tailored to each).
    auto& json = writer_.writer();
    writer_.key("joined");
    json.StartArray();
    for (const NoticeEntry& entry : batch.entries) {
      if (!entry.joined) continue;
      json.StartObject();
      writer_.field("client_id", entry.client_id);
      if (!entry.user_id.empty()) writer_.field("user_id", entry.user_id);
      // Serialized by the token verifier from a signed claim: a JSON object, never client text.
      if (!entry.user_info.empty())
        writer_.raw_field("user_info", entry.user_info, rapidjson::kObjectType);
      json.EndObject();
    }
    json.EndArray();
    writer_.key("left");
    json.StartArray();
    for (const NoticeEntry& entry : batch.entries) {
      if (entry.joined) continue;
      json.StartObject();
      writer_.field("client_id", entry.client_id);
      if (!entry.user_id.empty()) writer_.field("user_id", entry.user_id);
      writer_.field("reason", entry.disconnected ? "disconnected" : "left");
      json.EndObject();
    }
    json.EndArray();
  }
  writer_.timestamp(now());
  dispatcher_.send_to_room(room, writer_.finish(), nullptr);
}

// The plain event of one change, to every member but its subject (`subject` may be null: a
// leaver is no longer a member anyway).
void JsonProtocol::send_single_notice(const Room& room, const NoticeEntry& entry,
                                      const Client* subject) {
  writer_.begin(entry.joined ? "user_joined" : "user_left");
  writer_.field("client_id", entry.client_id);
  if (!entry.user_id.empty()) writer_.field("user_id", entry.user_id);
  if (entry.joined && !entry.user_info.empty()) {
    writer_.raw_field("user_info", entry.user_info, rapidjson::kObjectType);
  }
  write_room_summary(room, false);
  if (!entry.joined) writer_.field("reason", entry.disconnected ? "disconnected" : "left");
  writer_.timestamp(now());
  dispatcher_.send_to_room(room, writer_.finish(), subject);
}

}  // namespace wsrelay::app
