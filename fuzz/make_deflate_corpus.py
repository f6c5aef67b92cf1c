#!/usr/bin/env python3
"""Writes the seed corpus of the deflate harness (fuzz/corpus/deflate/seed_*) and
fuzz/deflate.dict. Input format: see fuzz/deflate_check.hpp ([options][seed][seed][data]).

    python3 fuzz/make_deflate_corpus.py
"""

import json
import os
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))


def options(bits=15, hostile=False, size_index=0):
    return bytes([(min(bits, 15) - 9 if bits < 15 else 15) | (0x10 if hostile else 0) | (size_index << 5)])


def raw(data, level=6, bits=15, flush=zlib.Z_SYNC_FLUSH):
    c = zlib.compressobj(level, zlib.DEFLATED, -bits)
    out = c.compress(data) + c.flush(flush)
    return out[:-4] if out.endswith(b"\x00\x00\xff\xff") else out


def main():
    folder = os.path.join(ROOT, "corpus", "deflate")
    os.makedirs(folder, exist_ok=True)
    event = json.dumps({"event": "message", "room": "general", "data": {"text": "hello " * 20}}).encode()
    seeds = {
        "empty": options() + b"\x00\x01",
        "hello": options() + b"\x00\x02" + b"Hello",
        "json": options() + b"\x01\x02" + event,
        "json_w9": options(bits=9) + b"\x01\x03" + event * 3,
        "binary": options(bits=12) + b"\x07\x07" + bytes(range(256)) * 4,
        "over_cap": options(size_index=3) + b"\x00\x09" + b"z" * 500,
        # Hostile compressed payloads.
        "rfc_hello": options(hostile=True) + b"\x00\x01" + bytes.fromhex("f248cdc9c90700"),
        "rfc_stored": options(hostile=True) + b"\x00\x01" + bytes.fromhex("000500faff48656c6c6f00"),
        "rfc_bfinal": options(hostile=True) + b"\x00\x01" + bytes.fromhex("f348cdc9c9070000"),
        "bomb": options(hostile=True, size_index=4) + b"\x00\x05" + raw(b"\0" * 200000, 9),
        "invalid_btype": options(hostile=True) + b"\x00\x01" + b"\xff\xff\xff",
        "far_distance": options(hostile=True) + b"\x00\x02" + raw(b"abc" * 20000, 9),
        "finished_stream": options(hostile=True) + b"\x00\x03" + raw(event, flush=zlib.Z_FINISH),
    }
    for name, data in seeds.items():
        with open(os.path.join(folder, "seed_" + name), "wb") as f:
            f.write(data)
    with open(os.path.join(ROOT, "deflate.dict"), "w") as f:
        f.write("# permessage-deflate: the empty-block tail and block headers (RFC 1951 §3.2.3)\n")
        for token in ["\\x00\\x00\\xff\\xff", "\\x00", "\\x01", "\\x02", "\\x03", "\\x04\\x05",
                      "\\xf2\\x48\\xcd\\xc9\\xc9\\x07\\x00"]:
            f.write('"%s"\n' % token)


if __name__ == "__main__":
    main()
