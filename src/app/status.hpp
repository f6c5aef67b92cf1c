// Status: the one vocabulary in which dispatcher operations answer, independent of any wire
// format. Each front end turns a non-OK status into its own error event (the JSON protocol
// maps them to the codes in docs/protocol.md).
#pragma once

#include <cstdint>

namespace wsrelay::app {

enum class Status : uint8_t {
  kOk,
  kAlready,         // already a member / already listening: nothing changed, not an error
  kRoomsDisabled,   // rooms_enabled = false
  kInvalidName,     // empty, too long or containing control characters (see names.hpp)
  kNotInRoom,       // leaving or publishing to a room the client is not in
  kRoomFull,        // declared max_clients reached
  kForbidden,       // private room and the authorizer said no (or there is none)
  kTooManyRooms,    // max_rooms_per_client reached
  kTooManySignals,  // max_signals_per_client reached
  kUnknownClient,   // no connected client has that id
};

}  // namespace wsrelay::app
