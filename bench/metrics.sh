#!/usr/bin/env bash
# The /metrics listener under load: 1000 sequential scrapes (median, p99,
# worst), then `nsgroup stats` while 16 silent connections hold every slot
# and 50 more knock. Root. Usage: bench/metrics.sh [PORT]
source "$(dirname "$0")/lib.sh"
PORT=${1:-9753}
start_daemon --no-events --no-mirror --metrics-listen "127.0.0.1:$PORT"
NSGROUP=$NSGROUP SOCK=$SOCK PORT=$PORT /usr/bin/python3 - <<'PY'
import os, socket, subprocess, time
port = int(os.environ["PORT"])
def scrape():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    return data
ms = []
for _ in range(1000):
    t = time.perf_counter(); assert scrape().startswith(b"HTTP/1.1 200"); ms.append((time.perf_counter() - t) * 1e3)
ms.sort()
print("1000 scrapes: median %.2f ms, p99 %.2f ms, worst %.2f ms" % (ms[500], ms[990], ms[-1]))
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
knocking = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
time.sleep(0.2)
t = time.perf_counter()
r = subprocess.run([os.environ["NSGROUP"], "stats", "--socket", os.environ["SOCK"]], capture_output=True)
print("stats with 16 silent connections held and 50 refused: status %d in %.1f ms" % (r.returncode, (time.perf_counter() - t) * 1e3))
PY
