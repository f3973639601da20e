// The commands that ask the daemon (tree, which, stats, rename, kill), with
// one-shot scans of /proc where no daemon listens (tree, which).
#pragma once

#include "cli/args.h"
#include "util/result.h"

namespace nsgroup {

Status run_tree(const Options& opts);
Status run_which(const Options& opts);
Status run_stats(const Options& opts);
Status run_rename(const Options& opts);
Status run_kill(const Options& opts);

}  // namespace nsgroup
