#include "cartsim/sweeps/merge.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cartsim/core/errors.hpp"
#include "cartsim/simulation/atomic_file.hpp"
#include "cartsim/sweeps/output_files.hpp"

namespace cartsim {
namespace {

struct Shard {
  std::filesystem::path dir;
  nlohmann::json run;
  std::size_t index = 0;
};

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    throw ShardSetError("cannot read '" + file.string() + "' (is the shard complete?)");
  }
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw ShardSetError("'" + file.string() + "' is not valid JSON: " + e.what());
  }
}

/// Appends `file` to `out`, without its header line unless `with_header`.
void append_csv(std::ostream& out, const std::filesystem::path& file, bool with_header) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ShardSetError("cannot read '" + file.string() + "'");
  }
  std::string header;
  std::getline(in, header);
  if (with_header) {
    out << header << '\n';
  }
  if (in.peek() != std::char_traits<char>::eof()) {  // a shard may hold no rows of this file
    out << in.rdbuf();
  }
}

}  // namespace

void merge_shards(const std::vector<std::filesystem::path>& dirs,
                  const std::filesystem::path& out_dir) {
  std::vector<Shard> shards;
  for (const auto& dir : dirs) {
    Shard s{dir, read_json(dir / "run.json"), 0};
    if (!s.run.contains("shard")) {
      throw ShardSetError("'" + dir.string() +
                          "' is not a shard's output (run.json has no 'shard')");
    }
    s.index = s.run["shard"]["index"].get<std::size_t>();
    shards.push_back(std::move(s));
  }
  if (shards.empty()) {
    throw ShardSetError("merge needs at least one shard directory");
  }
  std::sort(shards.begin(), shards.end(),
            [](const Shard& a, const Shard& b) { return a.index < b.index; });
  const auto& first = shards.front().run;
  const std::size_t count = first["shard"]["count"].get<std::size_t>();
  if (shards.size() != count) {
    throw ShardSetError("the sweep has " + std::to_string(count) + " shards; " +
                        std::to_string(shards.size()) + " given");
  }
  std::size_t expected_first = 0;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const auto& r = shards[i].run;
    if (shards[i].index != i + 1) {
      throw ShardSetError("shard " + std::to_string(i + 1) + " of " + std::to_string(count) +
                          " is missing or given twice");
    }
    if (r["scenario"]["sha256"] != first["scenario"]["sha256"] || r["seed"] != first["seed"] ||
        r["shard"]["count"] != first["shard"]["count"]) {
      throw ShardSetError("'" + shards[i].dir.string() +
                          "' comes from a different scenario, seed or shard count");
    }
    if (r["shard"]["first_sample"].get<std::size_t>() != expected_first) {
      throw ShardSetError("the shards' sample ranges are not contiguous");
    }
    expected_first = r["shard"]["end_sample"].get<std::size_t>();
  }

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    throw Error("cannot create '" + out_dir.string() + "': " + ec.message());
  }
  for (const char* stale : {"run.json", "band_values.bin", "sensitivity.csv"}) {
    std::filesystem::remove(out_dir / stale, ec);  // never a merge's
  }
  // The row files, shard after shard (shards split the samples, so every per-sample file
  // concatenates); a file the shards do not have is removed, not left from an earlier merge.
  for (const char* name :
       {"timeseries.csv", "manufacturing_timeseries.csv", "summary.csv", "distributions.csv",
        "manufacturing_distributions.csv", "replicate_summary.csv"}) {
    if (!std::filesystem::exists(shards.front().dir / name)) {
      std::filesystem::remove(out_dir / name, ec);
      continue;
    }
    AtomicFile file(out_dir / name);
    for (std::size_t i = 0; i < shards.size(); ++i) {
      append_csv(file.stream(), shards[i].dir / name, i == 0);
    }
    file.commit();
  }
  {
    AtomicFile file(out_dir / "columns.csv");
    append_csv(file.stream(), shards.front().dir / "columns.csv", true);
    file.commit();
  }
  std::filesystem::remove(out_dir / "bands.csv", ec);
  if (first.contains("band_layout")) {
    std::vector<std::filesystem::path> spills;
    for (const auto& s : shards) {
      spills.push_back(s.dir / "band_values.bin");
    }
    write_bands(out_dir, first["band_layout"]["variables"].get<std::vector<std::string>>(),
                first["band_layout"]["times_d"].get<std::vector<double>>(), spills);
  }

  nlohmann::json merged = first;
  merged.erase("shard");
  std::size_t runs = 0;
  std::size_t failed = 0;
  double wall = 0.0;
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : shards) {
    runs += s.run["samples"]["runs"].get<std::size_t>();
    failed += s.run["samples"]["failed"].get<std::size_t>();
    wall += s.run["wall_time_s"].get<double>();
    sources.push_back(std::filesystem::absolute(s.dir).string());
  }
  merged["samples"]["runs"] = runs;
  merged["samples"]["failed"] = failed;
  merged["wall_time_s"] = wall;
  merged["merged_from"] = sources;
  nlohmann::json files = nlohmann::json::array();
  for (const char* f : output_file_names()) {
    if (std::filesystem::exists(out_dir / f)) {
      files.push_back(f);
    }
  }
  files.push_back("run.json");
  merged["files"] = files;
  write_file_atomically(out_dir / "run.json", merged.dump(2) + "\n");
}

}  // namespace cartsim
