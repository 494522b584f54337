#pragma once
// `cartsim merge`: combines the output directories of the N shards of one sweep into exactly the
// files one unsharded run would have written (byte for byte for the CSV files; run.json records the
// merge instead of one run's timings).
#include <filesystem>
#include <vector>

#include "cartsim/core/errors.hpp"

namespace cartsim {

/// The directories given are not the complete, consistent set of shards of one run (bad input:
/// the command line exits with code 2).
class ShardSetError : public Error {
 public:
  using Error::Error;
};

/// Throws ShardSetError when the directories are not the complete, consistent set of shards of
/// one run (a missing or unreadable run.json included), Error when the output cannot be written.
void merge_shards(const std::vector<std::filesystem::path>& shard_dirs,
                  const std::filesystem::path& out_dir);

}  // namespace cartsim
