// A deterministic generator of WAL-like bytes for tests and benchmarks of the archive.
//
// Not PostgreSQL WAL, but shaped like it where it matters for compression: 8 KiB pages with a
// 24-byte page header; a stream of records with 24-byte headers and increasing xids and LSNs;
// mostly small heap records carrying pgbench-like tuples (small integers and runs of blank
// filler), commit records, now and then a full-page image (a page with a hole of zeros), and
// now and then incompressible bytes (compressed TOAST data). zstd level 1 shrinks it about 3x,
// a conservative figure for pgbench WAL (so compression is not flattered).
//
// Thread-safety: pure function.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "env/random.h"

namespace klio::wal {

inline Bytes SyntheticWal(std::size_t size, std::uint64_t seed) {
  constexpr std::size_t kPage = 8192;
  constexpr std::size_t kPageHeader = 24;
  env::SeededRandom rng(seed);
  Bytes records;  // the record stream, cut into pages below
  records.reserve(size + kPage);
  std::uint32_t xid = 1000 + static_cast<std::uint32_t>(rng.Uniform(1000));
  auto put32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) records.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  auto put64 = [&](std::uint64_t v) {
    put32(static_cast<std::uint32_t>(v));
    put32(static_cast<std::uint32_t>(v >> 32));
  };
  auto random_bytes = [&](std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) {
      const std::uint64_t v = rng.Next64();
      for (std::size_t j = 0; j < 8 && i + j < n; ++j) {
        records.push_back(static_cast<std::uint8_t>(v >> (8 * j)));
      }
    }
  };
  while (records.size() < size) {
    const std::uint64_t kind = rng.Uniform(100);
    const std::size_t start = records.size();
    put32(0);  // xl_tot_len, patched below
    put32(xid);
    put64(start);                                                       // xl_prev
    records.push_back(static_cast<std::uint8_t>(rng.Uniform(4) << 4));  // xl_info
    records.push_back(static_cast<std::uint8_t>(kind < 80 ? 10 : 1));   // xl_rmid
    records.push_back(0);
    records.push_back(0);
    random_bytes(4);  // xl_crc
    if (kind < 70) {
      // A heap insert/update: block reference, then a pgbench_accounts-like tuple.
      put32(1663);
      put32(16384);
      put32(16397 + static_cast<std::uint32_t>(rng.Uniform(4)));
      put32(static_cast<std::uint32_t>(rng.Uniform(20000)));
      put32(static_cast<std::uint32_t>(rng.Uniform(100000)));  // aid
      put32(static_cast<std::uint32_t>(rng.Uniform(10)));      // bid
      put32(static_cast<std::uint32_t>(rng.Uniform(10000)));   // abalance
      records.insert(records.end(), 84, ' ');                  // filler char(84)
    } else if (kind < 90) {
      // A commit record with a timestamp.
      put64(0x0002A5C4F0000000ULL + xid * 1000ULL + rng.Uniform(1000));
      ++xid;
    } else if (kind < 93) {
      // A full-page image: header, line pointers, a hole of zeros, tuples at the end.
      const std::size_t items = 20 + rng.Uniform(100);
      random_bytes(24);
      for (std::size_t i = 0; i < items; ++i) put32(0x8000 | static_cast<std::uint32_t>(i * 121));
      const std::size_t used = 24 + items * 4;
      const std::size_t tuples = items * (40 + rng.Uniform(40));
      const std::size_t hole = kPage > used + tuples ? kPage - used - tuples : 0;
      records.insert(records.end(), hole, 0);
      for (std::size_t i = 0; i < tuples; i += 40) {
        put32(xid - static_cast<std::uint32_t>(rng.Uniform(50)));
        put32(0);
        for (int j = 0; j < 32; ++j) {
          records.push_back(static_cast<std::uint8_t>('a' + rng.Uniform(26)));
        }
      }
    } else {
      random_bytes(100 + rng.Uniform(900));  // compressed TOAST data
    }
    while (records.size() % 8 != 0) records.push_back(0);  // MAXALIGN
    const auto len = static_cast<std::uint32_t>(records.size() - start);
    for (int i = 0; i < 4; ++i) records[start + i] = static_cast<std::uint8_t>(len >> (8 * i));
  }

  Bytes out;
  out.reserve(size);
  std::size_t pos = 0;
  for (std::uint64_t page = 0; out.size() < size; ++page) {
    // XLogPageHeaderData: magic, info, timeline, page address, remaining length.
    const std::uint64_t addr = page * kPage;
    const std::uint8_t header[kPageHeader] = {0x10,
                                              0xD1,
                                              0x05,
                                              0x00,
                                              0x01,
                                              0x00,
                                              0x00,
                                              0x00,
                                              static_cast<std::uint8_t>(addr),
                                              static_cast<std::uint8_t>(addr >> 8),
                                              static_cast<std::uint8_t>(addr >> 16),
                                              static_cast<std::uint8_t>(addr >> 24),
                                              static_cast<std::uint8_t>(addr >> 32),
                                              0,
                                              0,
                                              0,
                                              0,
                                              0,
                                              0,
                                              0,
                                              0,
                                              0,
                                              0,
                                              0};
    out.insert(out.end(), header, header + kPageHeader);
    const std::size_t n = std::min(kPage - kPageHeader, records.size() - pos);
    out.insert(out.end(), records.begin() + static_cast<std::ptrdiff_t>(pos),
               records.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    if (pos == records.size()) break;
  }
  out.resize(size, 0);
  return out;
}

}  // namespace klio::wal
