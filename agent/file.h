// Whole-file reads for /proc and cgroupfs, where files are small and may
// vanish between open and read.
#pragma once

#include <string>

namespace nsgroup {

// Reads path into out; false (errno set) when it cannot be opened or read.
bool read_file(const std::string& path, std::string& out);

}  // namespace nsgroup
