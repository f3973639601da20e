# Prometheus' promtool and a real prometheus server against the metrics.
add_test(NAME dist.prometheus_scrape
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/metrics_test.sh $<TARGET_FILE:nsgroup>)
set_tests_properties(dist.prometheus_scrape PROPERTIES
  LABELS privileged RUN_SERIAL TRUE TIMEOUT 180 SKIP_RETURN_CODE 77)
