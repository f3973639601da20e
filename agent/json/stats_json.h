// StatsReport (stats_report.h) as JSON: written for the stats reply, and
// read back by the client (`nsgroup stats --format=prometheus` renders
// the daemon's figures as the daemon's /metrics does).
#pragma once

#include <string>
#include <string_view>

#include "json/stats_report.h"
#include "util/result.h"

namespace nsgroup {

// Appends the report as one JSON object.
void write_stats_json(const StatsReport& stats, std::string& out);
// The report in a JSON object as write_stats_json writes it; what it
// lacks stays empty (a scoped report is one without "hooks").
Result<StatsReport> parse_stats_json(std::string_view text);

}  // namespace nsgroup
