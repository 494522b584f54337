#include "cartsim/simulation/atomic_file.hpp"

#include <unistd.h>

#include <string>

#include "cartsim/core/errors.hpp"

namespace cartsim {

namespace {
/// ".NAME.tmp.PID" beside the file. Appended piece by piece: GCC 12 warns (-Wrestrict, a false
/// positive) on `"." + std::string` here.
std::filesystem::path temp_path_for(const std::filesystem::path& final_path) {
  std::string name(".");
  name += final_path.filename().string();
  name += ".tmp.";
  name += std::to_string(::getpid());
  return final_path.parent_path() / name;
}
}  // namespace

AtomicFile::AtomicFile(std::filesystem::path final_path)
    : final_path_(std::move(final_path)), temp_path_(temp_path_for(final_path_)) {
  out_.open(temp_path_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    throw Error("cannot create '" + temp_path_.string() + "'");
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
  }
}

void AtomicFile::commit() {
  out_.flush();
  if (!out_) {
    throw Error("write failed for '" + temp_path_.string() + "'");
  }
  out_.close();
  std::error_code ec;
  std::filesystem::rename(temp_path_, final_path_, ec);
  if (ec) {
    throw Error("cannot rename '" + temp_path_.string() + "' to '" + final_path_.string() +
                "': " + ec.message());
  }
  committed_ = true;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  AtomicFile file(path);
  file.stream() << content;
  file.commit();
}

}  // namespace cartsim
