#!/usr/bin/env python3
"""Writes the hand-made seed corpora (fuzz/corpus/<surface>/) and dictionaries (fuzz/<surface>.dict).

Each seed is a small, deliberate input: a valid exchange, or one rule broken in one way. The
files are checked in; run this again after editing it (it rewrites the seed_* files and leaves
any other file in the corpus folders, e.g. minimised finds from a long campaign, alone):

    python3 fuzz/make_corpus.py

Seed formats follow the harnesses (see the top of each fuzz/<surface>_check.hpp): frame, http
and connection inputs start with an options byte and two seed bytes.
"""

import os
import struct

ROOT = os.path.dirname(os.path.abspath(__file__))
MASK = bytes([0x37, 0xFA, 0x21, 0x3D])  # RFC 6455 §5.7's example key


def frame(opcode, payload=b"", fin=True, rsv=0, masked=True, length_form=None, mask=MASK):
    """One frame; length_form forces the 7/16/64-bit length encoding."""
    out = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    n = len(payload)
    form = length_form or (7 if n < 126 else 16 if n < 65536 else 64)
    bit = 0x80 if masked else 0
    if form == 7:
        out += bytes([bit | n])
    elif form == 16:
        out += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        out += bytes([bit | 127]) + struct.pack(">Q", n)
    if masked:
        out += mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    else:
        out += payload
    return out


def text(s, fin=True, **kw):
    return frame(1, s.encode() if isinstance(s, str) else s, fin, **kw)


def binary(b, fin=True, **kw):
    return frame(2, b, fin, **kw)


def cont(s, fin=True, **kw):
    return frame(0, s.encode() if isinstance(s, str) else s, fin, **kw)


def close(code=None, reason=b"", **kw):
    payload = b"" if code is None else struct.pack(">H", code) + reason
    return frame(8, payload, **kw)


def ping(p=b"", **kw):
    return frame(9, p, **kw)


def pong(p=b"", **kw):
    return frame(10, p, **kw)


def write(surface, seeds):
    folder = os.path.join(ROOT, "corpus", surface)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.startswith("seed_"):
            os.remove(os.path.join(folder, name))
    for name, data in seeds.items():
        with open(os.path.join(folder, "seed_" + name), "wb") as f:
            f.write(data)


def write_dict(surface, entries):
    def escape(b):
        return "".join(chr(c) if 0x20 <= c < 0x7F and c not in (0x22, 0x5C) else "\\x%02x" % c for c in b)

    with open(os.path.join(ROOT, surface + ".dict"), "w") as f:
        f.write("# libFuzzer dictionary for fuzz/%s_fuzz.cpp (written by fuzz/make_corpus.py)\n" % surface)
        for i, e in enumerate(entries):
            b = e.encode() if isinstance(e, str) else e
            f.write('k%d="%s"\n' % (i, escape(b)))


# ---- frame --------------------------------------------------------------------------------
# Options byte: bits 0-1 == 3 client role; bits 2-3 == 3 RSV1 allowed; high nibble picks
# max_message_size (0: 64 KiB, 6: 16 bytes, 7: 125, 14: 1 MiB).
SERVER = 0x00
CLIENT = 0x03
RSV1 = 0x0C
MAX16 = 0x60
MAX125 = 0x70
MAX1M = 0xE0


def fseed(options, stream, seed=b"\x12\x34"):
    return bytes([options]) + seed + stream


frame_seeds = {
    "empty": fseed(SERVER, b""),
    "text": fseed(SERVER, text("Hello")),
    "binary": fseed(SERVER, binary(bytes(range(40)))),
    "empty_text": fseed(SERVER, text("")),
    "fragmented_with_ping": fseed(SERVER, text("Hel", fin=False) + ping(b"p") + cont("lo", fin=False) + cont("!")),
    "fragments_empty": fseed(SERVER, text("", fin=False) + cont("", fin=False) + cont("")),
    "utf8_split_across_fragments": fseed(SERVER, text(b"\xf0\x9f", fin=False) + cont(b"\x98\x80")),
    "utf8_multi": fseed(SERVER, text("κόσμε €🙂")),
    "len16": fseed(SERVER, binary(b"x" * 300)),
    "len64_small": fseed(SERVER, binary(b"y" * 200, length_form=64)),
    "len16_nonminimal": fseed(SERVER, text("abc", length_form=16)),
    "len64_nonminimal": fseed(SERVER, text("abc", length_form=64)),
    "ping_pong_close": fseed(SERVER, ping(b"hi") + pong(b"") + pong(b"x" * 125) + close(1000, b"bye")),
    "close_empty": fseed(SERVER, close()),
    "close_4000": fseed(SERVER, close(4000, "é".encode())),
    "close_after_then_data": fseed(SERVER, close(1001) + text("ignored")),
    "close_one_byte": fseed(SERVER, frame(8, b"\x03")),
    "close_code_1005": fseed(SERVER, close(1005)),
    "close_code_999": fseed(SERVER, close(999)),
    "close_code_5000": fseed(SERVER, close(5000)),
    "close_code_1014": fseed(SERVER, close(1014)),
    "close_bad_reason": fseed(SERVER, close(1000, b"\xff")),
    "unmasked_from_client": fseed(SERVER, text("x", masked=False)),
    "reserved_opcode": fseed(SERVER, text("ok") + frame(3, b"")),
    "reserved_opcode_b": fseed(SERVER, frame(0xB, b"")),
    "rsv_bits": fseed(SERVER, text("x", rsv=4)),
    "rsv1_allowed": fseed(SERVER | RSV1, text("x", rsv=4) + text("y", rsv=2)),
    "control_too_long": fseed(SERVER, ping(b"z" * 126, length_form=16)),
    "control_126": fseed(SERVER, frame(9, b"", length_form=7)[:1] + b"\xfe\x00\x7e"),
    "control_fragmented": fseed(SERVER, frame(9, b"", fin=False)),
    "length_top_bit": fseed(SERVER, b"\x82\xff\x80\x00\x00\x00\x00\x00\x00\x00" + MASK),
    "continuation_alone": fseed(SERVER, cont("x")),
    "data_inside_fragmented": fseed(SERVER, text("a", fin=False) + text("b")),
    "invalid_utf8_mid_frame": fseed(SERVER, text("ok") + text(b"abc\xc0def")),
    "invalid_utf8_fragment": fseed(SERVER, text("ok") + text(b"ab", fin=False) + cont(b"\xed\xa0\x80")),
    "truncated_utf8_end": fseed(SERVER, text(b"abc\xe2\x82")),
    "overlong": fseed(SERVER, text(b"\xe0\x80\xaf")),
    "above_max_codepoint": fseed(SERVER, text(b"\xf4\x90\x80\x80")),
    "too_big": fseed(SERVER | MAX16, text("0123456789abcdef") + text("0123456789abcdefg")),
    "too_big_fragmented": fseed(SERVER | MAX16, text("01234567", fin=False) + cont("89abcdefg")),
    "too_big_announced": fseed(SERVER, b"\x82\xff\x00\x00\x00\x00\x01\x00\x00\x00" + MASK + b"abc"),
    "big_fragmented_1m": fseed(SERVER | MAX1M, binary(b"q" * 3000, fin=False) + cont(b"r" * 2000)),
    "client_role": fseed(CLIENT, text("from server", masked=False) + close(1000, masked=False)),
    "client_role_masked": fseed(CLIENT, text("x")),
    "max125": fseed(SERVER | MAX125, binary(b"m" * 125) + binary(b"m" * 126)),
    "many_small": fseed(SERVER, b"".join(text(str(i)) for i in range(30)) + close(1000)),
    "partial_header": fseed(SERVER, text("abc")[:4]),
    "partial_payload": fseed(SERVER, binary(b"0123456789")[:9]),
}
write("frame", frame_seeds)
write_dict("frame", [
    b"\x81", b"\x82", b"\x80", b"\x01", b"\x02", b"\x00", b"\x88", b"\x89", b"\x8a", b"\x83", b"\x8b",
    b"\xc1", b"\x91", b"\x80\x80", b"\xfe", b"\xff", b"\x7e", b"\x7f", b"\xfe\x00\x7e", b"\xff\x00\x00\x00\x00\x00\x01\x00\x00",
    MASK, b"\x00\x00\x00\x00", b"\x03\xe8", b"\x03\xe9", b"\x03\xed", b"\x03\xef", b"\x03\xf3", b"\x0f\xa0", b"\x0b\xb8",
    b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xe0\x80\xaf",
])

# ---- http ---------------------------------------------------------------------------------
# Options byte: low 4 bits pick max_head_bytes (0: 8192, 4: 16, 6: 64, 9: 256).
UPGRADE = (b"GET /ws?room=a HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\r\n")


def hseed(request, limit=0):
    return bytes([limit]) + b"\x56\x78" + request


http_seeds = {
    "upgrade": hseed(UPGRADE),
    "upgrade_lf_only": hseed(UPGRADE.replace(b"\r\n", b"\n")),
    "upgrade_firefox": hseed(UPGRADE.replace(b"Connection: Upgrade", b"Connection: keep-alive, Upgrade")),
    "upgrade_split_headers": hseed(UPGRADE.replace(b"Connection: Upgrade", b"Connection: keep-alive\r\nConnection: Upgrade")),
    "upgrade_lowercase": hseed(UPGRADE.replace(b"Upgrade: websocket", b"upgrade: WebSocket").replace(b"Host:", b"host:")),
    "upgrade_then_frames": hseed(UPGRADE + text("hi")),
    "leading_crlf": hseed(b"\r\n\r\n" + UPGRADE),
    "plain_get": hseed(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"),
    "http10": hseed(b"GET / HTTP/1.0\r\n\r\n"),
    "post_body": hseed(b"POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
    "pipelined": hseed(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"),
    "version_8": hseed(UPGRADE.replace(b"Version: 13", b"Version: 8")),
    "two_versions": hseed(UPGRADE.replace(b"\r\n\r\n", b"\r\nSec-WebSocket-Version: 13\r\n\r\n")),
    "bad_key": hseed(UPGRADE.replace(b"dGhlIHNhbXBsZSBub25jZQ==", b"dGhlIHNhbXBsZSBub25jZR==")),
    "short_key": hseed(UPGRADE.replace(b"dGhlIHNhbXBsZSBub25jZQ==", b"abc=")),
    "two_hosts": hseed(UPGRADE.replace(b"Host: example.com", b"Host: a\r\nHost: b")),
    "no_host": hseed(UPGRADE.replace(b"Host: example.com\r\n", b"")),
    "post_upgrade": hseed(UPGRADE.replace(b"GET ", b"POST ")),
    "lowercase_get": hseed(UPGRADE.replace(b"GET ", b"get ")),
    "http10_upgrade": hseed(UPGRADE.replace(b"HTTP/1.1", b"HTTP/1.0")),
    "obs_fold": hseed(b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"),
    "space_before_colon": hseed(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
    "missing_colon": hseed(b"GET / HTTP/1.1\r\nHost x\r\n\r\n"),
    "empty_value": hseed(b"GET / HTTP/1.1\r\nX-Empty:\r\nX-Spaces:   \t \r\n\r\n"),
    "obs_text": hseed(b"GET / HTTP/1.1\r\nX-Name: caf\xe9\r\n\r\n"),
    "control_in_value": hseed(b"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n"),
    "cr_without_lf": hseed(b"GET / HTTP/1.1\rHost: x\r\n\r\n"),
    "two_spaces": hseed(b"GET  / HTTP/1.1\r\n\r\n"),
    "http2": hseed(b"GET / HTTP/2.0\r\n\r\n"),
    "many_headers": hseed(b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(65)) + b"\r\n"),
    "too_large_16": hseed(b"GET /long/path HTTP/1.1\r\n\r\n", limit=4),
    "exactly_at_limit": hseed(b"GET / HTTP/1.1\r\nA: b\r\n\r\n", limit=6),
    "incomplete": hseed(b"GET /ws HTTP/1.1\r\nHost: x\r\n"),
    "nul_in_target": hseed(b"GET /\x00 HTTP/1.1\r\n\r\n"),
    "transfer_encoding": hseed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
}
write("http", http_seeds)
write_dict("http", [
    "GET", "POST", "HEAD", " HTTP/1.1\r\n", "HTTP/1.0", "HTTP/1.", "\r\n", "\r\n\r\n", "\n", ": ", ":", " ", "\t",
    "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions", "Origin", "Content-Length", "Transfer-Encoding", "Cookie", "User-Agent",
    "websocket", "upgrade", "keep-alive", "close", "13", "8", "dGhlIHNhbXBsZSBub25jZQ==", "==", "/ws", "?token=",
    ",", "permessage-deflate",
])

# ---- utf8 ---------------------------------------------------------------------------------
utf8_seeds = {
    "ascii": b"Hello, world! 0123456789",
    "long_ascii_then_multi": b"a" * 17 + "é€🙂".encode() + b"b" * 9,
    "two_byte": "é ß ñ".encode(),
    "three_byte": "€ 中文 ﻿".encode(),
    "four_byte": "🙂 𝄞 \U0010FFFF".encode(),
    "edges": "\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\U00010000".encode("utf-8", "surrogatepass"),
    "overlong_2": b"\xc0\x80",
    "overlong_c1": b"\xc1\xbf",
    "overlong_3": b"\xe0\x80\x80",
    "overlong_4": b"\xf0\x80\x80\x80",
    "surrogate": b"\xed\xa0\x80",
    "surrogate_low": b"\xed\xbf\xbf",
    "above_max": b"\xf4\x90\x80\x80",
    "f5": b"\xf5\x80\x80\x80",
    "ff": b"abc\xff",
    "stray_continuation": b"a\x80b",
    "truncated_2": b"ab\xc3",
    "truncated_3": b"ab\xe2\x82",
    "truncated_4": b"ab\xf0\x9f\x98",
    "lead_after_lead": b"\xe2\xe2\x82\xac",
    "five_byte_form": b"\xf8\x88\x80\x80\x80",
    "nul": b"a\x00b",
    "mixed_aligned": (b"x" * 7 + "€".encode()) * 5,
}
write("utf8", utf8_seeds)
write_dict("utf8", [b"\xc2\x80", b"\xdf\xbf", b"\xe0\xa0\x80", b"\xef\xbf\xbf", b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf",
                    b"\xed\x9f\xbf", b"\xed\xa0\x80", b"\xc0", b"\xc1", b"\xf5", b"\x80", b"\xbf", b"aaaaaaaa"])

# ---- json ---------------------------------------------------------------------------------
# Records: 'A'..'D' text from client 0..3, 'a'..'d' binary, '0'..'3' reconnect. Client k's id
# is 16k..16k+15 as hex (see json_check.hpp).
def cid(k):
    return "".join("%02x" % (16 * k + i) for i in range(16))


def records(*lines):
    return ("\n".join(lines)).encode()


json_seeds = {
    "message": records('A{"event":"message","message":"Hello"}'),
    "message_with_id": records('A{"event":"message","message":{"a":[1,2.5,true,null]},"id":7}'),
    "broadcast": records('B{"event":"broadcast","message":"hi all","id":"b1"}'),
    "type_alias": records('C{"type":"ping","id":1}'),
    "join_leave": records('A{"event":"join_room","room":"sales","id":1}', 'B{"event":"subscribe","channel":"sales"}',
                          'A{"event":"room_message","room":"sales","message":"x","id":2}',
                          'B{"event":"publish","channel":"sales","data":{"k":1}}', 'A{"event":"leave_room","room":"sales"}',
                          'B{"event":"unsubscribe","channel":"sales","id":3}', 'B{"event":"rooms","id":4}'),
    "lobby_full": records('A{"event":"join_room","room":"lobby"}', 'B{"event":"join_room","room":"lobby"}',
                          'C{"event":"join_room","room":"lobby","id":9}'),
    "private_room": records('A{"event":"join_room","room":"vip","id":1}'),
    "too_many_rooms": records(*['A{"event":"join_room","room":"r%d","id":%d}' % (i, i) for i in range(6)]),
    "signals": records('B{"event":"listen","name":"ReportIncome","id":1}', 'C{"event":"listen","name":"ReportIncome"}',
                       'A{"event":"signal","name":"ReportIncome","data":{"month":"2024-05"},"id":2}',
                       'A{"event":"signal","name":"ReportIncome","room":"general"}',
                       'B{"event":"unlisten","name":"ReportIncome","id":3}'),
    "too_many_signals": records(*['A{"event":"listen","name":"s%d","id":%d}' % (i, i) for i in range(6)]),
    "send_direct": records('A{"event":"send","to":"%s","message":"psst","id":1}' % cid(1),
                           'A{"event":"send","to":"%s","message":"nobody"}' % ("f" * 32)),
    "disconnect_reconnect": records('A{"event":"join_room","room":"x"}', 'B{"event":"join_room","room":"x"}', '0',
                                    'B{"event":"room_message","room":"x","message":"anyone?"}', '1', '2', '3'),
    "binary": records('a\x00\x01\x02'),
    "invalid_json": records('A{"event":', 'B[1,2', 'Cnot json', 'D{"event":"message"} trailing', 'A'),
    "not_object": records('A[1,2,3]', 'B"string"', 'C42', 'Dnull'),
    "bad_id": records('A{"event":"ping","id":{"x":1}}', 'A{"event":"ping","id":"%s"}' % ("i" * 129),
                      'A{"event":"ping","id":[1]}', 'A{"event":"ping","id":1e400}'),
    "missing_event": records('A{"id":5}', 'A{"event":5,"id":6}', 'A{"event":"nope","id":7}'),
    "deep": records('A{"event":"message","message":' + "[" * 9 + "]" * 9 + ',"id":1}',
                    'A{"event":"message","message":' + "[" * 5 + "]" * 5 + ',"id":2}'),
    "escapes": records('A{"event":"message","message":"\\u0000\\ud83d\\ude00\\n\\"","id":"\\u00e9"}',
                       'A{"event":"message","message":"\\ud800"}', 'A{"event":"message","message":"\\udc00","id":3}'),
    "numbers": records('A{"event":"message","message":[1E3,-0,2.50,1e-7,12345678901234567890,-9223372036854775808],"id":-1.5}'),
    "duplicates": records('A{"event":"ping","event":"message","id":1,"id":2}'),
    "invalid_names": records('A{"event":"join_room","room":"","id":1}', 'A{"event":"join_room","room":"a\\u0001b","id":2}',
                             'A{"event":"join_room","room":"%s","id":3}' % ("n" * 17), 'A{"event":"listen","name":7,"id":4}'),
    "utf8_raw": records('A{"event":"message","message":"κόσμε 🙂","id":"é"}', b'A{"event":"message","message":"\xff"}'.decode("latin-1")),
}
json_seeds["utf8_raw"] = b'A{"event":"message","message":"\xce\xba\xcf\x8c\xcf\x83\xce\xbc\xce\xb5","id":"\xc3\xa9"}\nA{"event":"message","message":"\xff\xfe"}'
write("json", json_seeds)
write_dict("json", [
    '{"event":"', '"type":"', '"id":', '"message":', '"room":"', '"channel":"', '"data":', '"name":"', '"to":"',
    "message", "broadcast", "join_room", "subscribe", "leave_room", "unsubscribe", "room_message", "publish",
    "signal", "listen", "unlisten", "send", "rooms", "ping", "general", "lobby", "vip", '"}', "}", "{", "[", "]",
    ",", ":", "null", "true", "false", "1e400", "-0", "\\u0000", "\\ud800", "\\udc00", "\n",
] + [cid(k) for k in range(6)])

# ---- connection ---------------------------------------------------------------------------
# Options byte: bits 0-2 max_message_size (0: 64 KiB, 2: 16), bits 3-4 max_header_size
# (1: 64), bit 5 HTTP service, bit 6 time passes, bit 7 TLS-like transport.
HTTPSVC = 0x20
TIME = 0x40
TLS = 0x80


DEFLATE_UPGRADE = UPGRADE.replace(b"\r\n\r\n", b"\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")


def deflated(data):
    """Raw DEFLATE with the empty-block tail removed (RFC 7692 §7.2.1)."""
    import zlib
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return (c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]


def cseed(options, stream, seed=b"\x9a\xbc"):
    return bytes([options]) + seed + stream


connection_seeds = {
    "echo_session": cseed(0, UPGRADE + text("hello") + binary(b"\x00\x01") + ping(b"p") + close(1000, b"done")),
    "upgrade_only": cseed(0, UPGRADE),
    "upgrade_then_eof_time": cseed(TIME, UPGRADE + text("x")),
    "commands": cseed(0, UPGRADE + text("!many") + binary(b"!big") + text("!bcast hello") + text("!close now")),
    "fragmented": cseed(0, UPGRADE + text("a", fin=False) + ping() + cont("b") + close()),
    "protocol_error": cseed(0, UPGRADE + text("ok") + frame(3) + text("after")),
    "unmasked": cseed(0, UPGRADE + text("x", masked=False)),
    "invalid_utf8": cseed(0, UPGRADE + text(b"\xc3\x28")),
    "too_big": cseed(0x02, UPGRADE + text("0123456789abcdefXYZ")),
    "close_bad_code": cseed(0, UPGRADE + close(1005)),
    "close_then_data": cseed(0, UPGRADE + close(4001, b"r") + text("late")),
    "plain_404": cseed(0, b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"),
    "plain_service_pipelined": cseed(HTTPSVC, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\n"
                                     b"Content-Length: 3\r\n\r\nabcGET /close HTTP/1.1\r\n\r\nGET /never HTTP/1.1\r\n\r\n"),
    "plain_then_upgrade": cseed(HTTPSVC, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n" + UPGRADE + text("x")),
    "http10_keepalive": cseed(HTTPSVC, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /missing HTTP/1.0\r\n\r\n"),
    "body_too_large": cseed(HTTPSVC, b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"),
    "bad_content_length": cseed(HTTPSVC, b"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"),
    "chunked": cseed(HTTPSVC, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    "bad_request": cseed(0, b"GARBAGE\r\n\r\n"),
    "head_too_large": cseed(0x08, b"GET /" + b"a" * 100 + b" HTTP/1.1\r\n\r\n"),
    "version_426": cseed(0, UPGRADE.replace(b"Version: 13", b"Version: 7")),
    "method_405": cseed(0, UPGRADE.replace(b"GET ", b"PUT ")),
    "denied_403": cseed(0, UPGRADE.replace(b"?room=a", b"?deny=1")),
    "upgrade_with_body": cseed(0, UPGRADE.replace(b"\r\n\r\n", b"\r\nContent-Length: 2\r\n\r\nxx")),
    "handshake_timeout": cseed(TIME, b"GET /ws HTTP/1.1\r\nHost: x\r\n"),
    "keepalive_idle": cseed(HTTPSVC | TIME, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"),
    "pong_answers_ping": cseed(TIME, UPGRADE + pong(b"")),
    "many_messages": cseed(0, UPGRADE + b"".join(text("m%d" % i) for i in range(50))),
    "tls_echo": cseed(TLS, UPGRADE + text("over tls") + close(1000)),
    "tls_plain_http": cseed(TLS | HTTPSVC, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"),
    # permessage-deflate (RFC 7692): a compressed echo, a big compressed reply, a broadcast,
    # RSV1 on a continuation, invalid compressed data.
    "deflate_echo": cseed(0, DEFLATE_UPGRADE + frame(1, deflated(b"hello " * 100), rsv=4) + text("plain")
                          + binary(b"!big") + text("!bcast " + "x" * 400) + close(1000)),
    "deflate_fragmented": cseed(0, DEFLATE_UPGRADE + frame(1, deflated(b"ab" * 300)[:3], fin=False, rsv=4)
                                + ping() + cont(deflated(b"ab" * 300)[3:])),
    "deflate_rsv1_continuation": cseed(0, DEFLATE_UPGRADE + frame(1, b"\xf2", fin=False, rsv=4)
                                       + frame(0, b"\x00", rsv=4)),
    "deflate_invalid": cseed(0, DEFLATE_UPGRADE + frame(2, b"\xff\xff\xff", rsv=4)),
    "deflate_bomb": cseed(0x02, DEFLATE_UPGRADE + frame(2, deflated(b"\0" * 100000), rsv=4)),
}
write("connection", connection_seeds)
write_dict("connection", [
    "GET /ws HTTP/1.1\r\n", "Host: x\r\n", "Upgrade: websocket\r\n", "Connection: Upgrade\r\n",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "Sec-WebSocket-Version: 13\r\n", "Content-Length: ",
    "Transfer-Encoding: chunked\r\n", "Connection: close\r\n", "Connection: keep-alive\r\n", "\r\n\r\n", "HTTP/1.0",
    "/close", "/missing", "?deny", "!close", "!bcast", "!big", "!many",
    "Sec-WebSocket-Extensions: permessage-deflate\r\n", "; client_max_window_bits", b"\xc1", b"\xc2", b"\x41",
    b"\x00\x00\xff\xff",
    b"\x81", b"\x82", b"\x80", b"\x01", b"\x00", b"\x88", b"\x89", b"\x8a", b"\xfe", b"\xff", MASK, b"\x03\xe8", b"\x03\xed",
])

# ---- config -------------------------------------------------------------------------------
def cfg(file_text="", env=(), args=(), echo=False):
    return (("!" if echo else "") + file_text + "\n%%\n" + "\n".join(env) + "\n%%\n" + "\n".join(args)).encode()


FILE = "\n".join([
    "# wsrelay test configuration",
    "host = 0.0.0.0", "port = 9001", "max_message_size = 1M", "max_pending_output = 8M", "timeout = 600",
    "ping_interval = 20", "ping_timeout = 5", "log_level = warn", 'log_path = "/var/log/wsrelay.log"',
    "rooms = lobby, vip:private, small:max_clients=2", "default_room = lobby", "cors_origins = https://example.com, https://*.example.org",
    "allow_ips = 10.0.0.0/8, 2001:db8::/32", "deny_ips = 10.1.2.3", "auth_enabled = true",
    "auth_secret = 'a-very-long-secret-value-of-32-bytes!!'", "publish_url = http://127.0.0.1:9001/api",
    "redis_url = redis://127.0.0.1:6379", "node_id = node-1", "ignore_env = WEBSOCKET_URL",
])
config_seeds = {
    "file_full": cfg(FILE, args=["--config", "wsrelay.conf"]),
    "file_by_env": cfg("port = 8081\r\nmax_clients = 10\r\n", env=["WEBSOCKET_CONFIG=/etc/wsrelay.conf", "PATH=/bin"]),
    "env_only": cfg("", env=["WEBSOCKET_PORT=8082", "WEBSOCKET_DEBUG=yes", "WEBSOCKET_HOST=::1", "WEBSOCKET_URL=x",
                             "WEBSOCKET_IGNORE_ENV=WEBSOCKET_URL"]),
    "flags": cfg("", args=["--port", "8083", "--debug", "--log-level=error", "--rooms-enabled", "off", "--max-clients=5"]),
    "echo_mode": cfg("", args=["--max-message-size", "16M"], echo=True),
    "errors": cfg("port = 70000\nunknown_key = 1\nport = 1\nnovalue\n = x\nhost = localhost\nhost = [::1]\n",
                  env=["WEBSOCKET_PROT=1", "WEBSOCKET_TIMEOUT=-1"], args=["--config", "x.conf", "--nope", "--port"]),
    "missing_file": cfg("", args=["--config", "missing.conf"]),
    "empty_config_flag": cfg("", args=["--config="]),
    "bom_quotes": cfg("\ufeffdefault_room = \"  spaced room  \"\nweb_root = ''\n", args=["--config", "a"]),
    "cross_field": cfg("ssl_enabled = true\nauth_enabled = true\nping_timeout = 40\nping_interval = 30\n",
                       args=["--config", "a"]),
    "ignore_all": cfg("", env=["WEBSOCKET_WHATEVER=1", "WEBSOCKET_IGNORE_ENV=*"]),
    "lists": cfg("allow_ips = 10.1.2.3/8,,fe80::1/64\ncors_origins = *\nrooms = a:private:private\n", args=["--config", "a"]),
    "control_chars": cfg("log_path = /tmp/a\x1b[31mred\nauth_secret = x\x07\n", args=["--config", "a"]),
    "urls": cfg("publish_url = https://[::1]:8443/p\nredis_url = redis://h:0\nnode_id = " + "n" * 65 + "\n", args=["--config", "a"]),
}
write("config", config_seeds)
keys = [
    "host", "port", "max_clients", "max_clients_per_ip", "max_message_size", "max_pending_output", "max_header_size",
    "max_http_body", "timeout", "ping_interval", "ping_timeout", "handshake_timeout", "close_timeout",
    "shutdown_timeout", "debug", "log_level", "log_path", "stats_interval", "auth_enabled", "auth_secret",
    "auth_timeout", "auth_clock_skew", "ssl_enabled", "ssl_cert_path", "ssl_key_path", "ssl_chain_path",
    "cors_origins", "allow_ips", "deny_ips", "rooms_enabled", "default_room", "max_rooms_per_client", "rooms",
    "max_name_length", "max_json_depth", "member_list_limit", "rate_limit", "rate_limit_burst",
    "rate_limit_warnings", "api_key", "web_root", "publish_url", "redis_url", "node_id", "ignore_env",
]
write_dict("config", ["\n%%\n", " = ", "--config", "WEBSOCKET_CONFIG=", "WEBSOCKET_", "--", "true", "false", "yes",
                      "off", "K", "M", "G", "::", "0.0.0.0", "/24", ":private", ":max_clients=", "https://", "http://",
                      "redis://", "*", ","] + keys + ["WEBSOCKET_" + k.upper() + "=" for k in keys[:12]]
           + ["--" + k.replace("_", "-") for k in keys[:12]])

print("seeds written:", {s: len(v) for s, v in [("frame", frame_seeds), ("http", http_seeds), ("utf8", utf8_seeds),
                                                  ("json", json_seeds), ("connection", connection_seeds),
                                                  ("config", config_seeds)]})
