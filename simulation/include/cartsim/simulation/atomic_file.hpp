#pragma once
// A file that appears under its final name only when complete: written to a temporary name in the
// same directory, then renamed (atomic on POSIX file systems). An interrupted or failed run never
// leaves a truncated file under the final name.
#include <filesystem>
#include <fstream>

namespace cartsim {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path final_path);
  ~AtomicFile();  ///< removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  /// Flush, close and rename to the final name. Throws Error on any I/O failure.
  void commit();

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  std::ofstream out_;
  bool committed_ = false;
};

/// Convenience: write `content` to `path` atomically.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace cartsim
