// `nsgroup stats` in Prometheus' text exposition format (0.0.4): for
// node_exporter's textfile collector (`stats --format=prometheus`) and the
// daemon's /metrics (metrics_http.h). A pure function of the stats report
// (json/stats_report.h), so the client renders the daemon's reply and the
// daemon its own figures the same way.
#pragma once

#include <string>
#include <string_view>

#include "json/stats_report.h"
#include "util/self_stats.h"

namespace nsgroup {

// The content type of what prometheus_text returns.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// The families the report holds: a scoped client's figures
// (scoped_stats_report) give only containers and processes. Every event
// kind and drop cause is written, 0 included, so that rate() sees a series
// from the start. With self, the daemon's own process_* families too
// (Prometheus' client conventions).
std::string prometheus_text(const StatsReport& stats, std::string_view version,
                            const SelfStats* self = nullptr);

}  // namespace nsgroup
