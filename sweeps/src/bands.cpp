#include "cartsim/sweeps/bands.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "cartsim/core/errors.hpp"

namespace cartsim {
namespace {
constexpr char magic[8] = {'C', 'S', 'B', 'A', 'N', 'D', 'S', '1'};
constexpr std::streamoff header_bytes = 8 + 8 + 8;  // magic, rows, columns

struct SpillHeader {
  std::uint64_t rows = 0;
  std::uint64_t columns = 0;
};

SpillHeader read_header(std::ifstream& in, const std::filesystem::path& file) {
  std::array<char, 8> m{};
  SpillHeader h;
  in.read(m.data(), 8);
  in.read(reinterpret_cast<char*>(&h.rows), 8);
  in.read(reinterpret_cast<char*>(&h.columns), 8);
  if (!in || std::memcmp(m.data(), magic, 8) != 0) {
    throw Error("'" + file.string() + "' is not a cartsim band-values file");
  }
  return h;
}
}  // namespace

BandSpill::BandSpill(const std::filesystem::path& file, std::uint64_t columns)
    : out_(file, std::ios::binary | std::ios::trunc), columns_(columns) {
  if (!out_) {
    throw Error("cannot create '" + file.string() + "'");
  }
  const std::uint64_t zero = 0;
  out_.write(magic, 8);
  out_.write(reinterpret_cast<const char*>(&zero), 8);
  out_.write(reinterpret_cast<const char*>(&columns_), 8);
}

void BandSpill::append(const std::vector<double>& row) {
  out_.write(reinterpret_cast<const char*>(row.data()),
             static_cast<std::streamsize>(row.size() * sizeof(double)));
  ++rows_;
}

void BandSpill::finish() {
  out_.seekp(8);
  out_.write(reinterpret_cast<const char*>(&rows_), 8);
  out_.flush();
  if (!out_) {
    throw Error("writing band values failed");
  }
  out_.close();
}

double quantile_sorted(const std::vector<double>& sorted, double level) {
  if (sorted.empty()) {
    return std::nan("");
  }
  const double h = level * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::vector<std::vector<double>> compute_bands(const std::vector<std::filesystem::path>& files,
                                               std::size_t memory_budget_bytes) {
  std::vector<std::ifstream> streams;
  std::vector<SpillHeader> headers;
  std::uint64_t total_rows = 0;
  for (const auto& f : files) {
    streams.emplace_back(f, std::ios::binary);
    if (!streams.back()) {
      throw Error("cannot read '" + f.string() + "'");
    }
    headers.push_back(read_header(streams.back(), f));
    if (headers.back().columns != headers.front().columns) {
      throw Error("band-values files have different column counts");
    }
    total_rows += headers.back().rows;
  }
  const std::uint64_t columns = headers.empty() ? 0 : headers.front().columns;
  std::vector<std::vector<double>> out(columns);
  const std::uint64_t block = std::max<std::uint64_t>(
      1, memory_budget_bytes / std::max<std::uint64_t>(1, total_rows * sizeof(double)));
  std::vector<double> row_part;
  std::vector<std::vector<double>> values;
  for (std::uint64_t c0 = 0; c0 < columns; c0 += block) {
    const std::uint64_t width = std::min(block, columns - c0);
    values.assign(width, {});
    row_part.resize(width);
    for (std::size_t f = 0; f < streams.size(); ++f) {
      for (std::uint64_t r = 0; r < headers[f].rows; ++r) {
        streams[f].seekg(header_bytes +
                         static_cast<std::streamoff>((r * columns + c0) * sizeof(double)));
        streams[f].read(reinterpret_cast<char*>(row_part.data()),
                        static_cast<std::streamsize>(width * sizeof(double)));
        if (!streams[f]) {
          throw Error("band-values file '" + files[f].string() + "' is truncated");
        }
        for (std::uint64_t k = 0; k < width; ++k) {
          if (std::isfinite(row_part[k])) {
            values[k].push_back(row_part[k]);
          }
        }
      }
    }
    for (std::uint64_t k = 0; k < width; ++k) {
      std::sort(values[k].begin(), values[k].end());
      auto& result = out[c0 + k];
      result.push_back(static_cast<double>(values[k].size()));
      for (double level : band_levels) {
        result.push_back(quantile_sorted(values[k], level));
      }
    }
  }
  return out;
}

}  // namespace cartsim
