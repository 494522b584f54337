#pragma once
// Percentile bands across runs, exact (type-7 quantiles: linear interpolation between order
// statistics, as R's and numpy's default), computed from a spill file of every run's values so a
// sweep never holds all trajectories in memory. Columns are processed in blocks that fit a memory
// budget. NaN values (failed runs, rows after a stop) are left out of each column.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cartsim {

/// Appends rows of `columns` doubles; the header (row count) is written by finish().
class BandSpill {
 public:
  BandSpill(const std::filesystem::path& file, std::uint64_t columns);
  void append(const std::vector<double>& row);
  void finish();  ///< writes the header; the file is complete afterwards
  std::uint64_t rows() const { return rows_; }

 private:
  std::ofstream out_;
  std::uint64_t columns_;
  std::uint64_t rows_ = 0;
};

/// The percentiles reported.
inline constexpr double band_levels[] = {0.05, 0.25, 0.50, 0.75, 0.95};

/// Reads one or more spill files (rows concatenated in order) and returns, per column, the number
/// of finite values followed by the band_levels quantiles (NaN when none).
std::vector<std::vector<double>> compute_bands(const std::vector<std::filesystem::path>& files,
                                               std::size_t memory_budget_bytes = 512u << 20);

/// The type-7 quantile of sorted values.
double quantile_sorted(const std::vector<double>& sorted, double level);

}  // namespace cartsim
