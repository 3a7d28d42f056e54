#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace takahe {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
bool startsWith(std::string_view s, std::string_view prefix);
std::string toLower(std::string_view s);

}  // namespace takahe
