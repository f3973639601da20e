// The synthetic trees of synthetic.h as JSON, for the layers that link
// json (the core's tests do not).
#pragma once

#include "json/json.h"
#include "json/tree_json.h"
#include "synthetic.h"

namespace nsgroup::test {

// The tree document as a client parses it, at boot time 0.
inline Json tree_doc(const Tree& t, const TreeView& view = {}) {
  return Json::parse(tree_json(t, BootClock(0), view));
}

}  // namespace nsgroup::test
