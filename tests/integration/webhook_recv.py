# A webhook receiver for the alert tests (tests/integration/lib.sh
# start_receiver): every POST into DIR/NNNN.json as {"path", "status",
# "headers", "body"}; /fail-once/... answers 500 to its first request and
# 200 after; /hang... waits 60 s.  Prints its port on stdout.
# Usage: python3 webhook_recv.py DIR
import http.server, json, os, sys, time
out = sys.argv[1]
seen = set()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        status = 200
        if self.path.startswith("/hang"):
            open(os.path.join(out, "..", "hanging"), "w").close()
            time.sleep(60)
        if self.path.startswith("/fail-once") and self.path not in seen:
            seen.add(self.path)
            status = 500
        k = len(os.listdir(out))
        with open(os.path.join(out, "%04d.json.tmp" % k), "w") as f:
            json.dump({"path": self.path, "status": status,
                       "headers": {a.lower(): b for a, b in self.headers.items()},
                       "body": body.decode("utf-8")}, f)
        os.rename(os.path.join(out, "%04d.json.tmp" % k), os.path.join(out, "%04d.json" % k))
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
print("tmon-recv: listening on http://127.0.0.1:%d" % s.server_port, flush=True)
s.serve_forever()
