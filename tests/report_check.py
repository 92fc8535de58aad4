#!/usr/bin/python3
"""Loads a report.html in headless Chromium and checks it like a reader would see it.

Usage: report_check.py CHROMIUM REPORT.html SCREENSHOT.png [PDF]

Talks to Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: commands on
fd 3, replies on fd 4, each message JSON ended by a NUL byte), with only the standard library.
The report itself holds no script; the measuring is done from outside, by Runtime.evaluate.

Checks, each printed, exit 1 if any fails:
  - the page loads (Page.loadEventFired) with no console error, no uncaught exception and no
    error in the browser log;
  - it requests nothing but itself (self-contained: no network, no other file);
  - every figure (top-level <svg>, and any <img>) has a non-zero rendered width and height;
  - the key findings list is not empty and the summary table has rows;
  - it prints to PDF on A4 (Page.printToPDF with the report's own @page size).
Saves a screenshot of the first 1280 x 1600 CSS pixels, and the PDF when a path is given.
"""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 90.0


class Browser:
    def __init__(self, chromium, profile):
        cmd_r, self.cmd_w = os.pipe()    # we write commands, Chromium reads fd 3
        self.resp_r, resp_w = os.pipe()  # Chromium writes fd 4, we read
        # Move the child's ends above 3 and 4 so that dup2 onto 3 and 4 never meets itself
        # (dup2 of a descriptor onto itself would keep its close-on-exec flag).
        hi_r, hi_w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(resp_w, fcntl.F_DUPFD, 10)
        os.close(cmd_r)
        os.close(resp_w)
        cmd_r, resp_w = hi_r, hi_w

        def child():
            os.dup2(cmd_r, 3)   # os.dup2 makes the copies inheritable
            os.dup2(resp_w, 4)

        self.log = tempfile.TemporaryFile()  # Chromium's stderr (a pipe could fill and block it)
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
            preexec_fn=child, close_fds=False)
        os.close(cmd_r)
        os.close(resp_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.time() + TIMEOUT

    def _read_message(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.time()
            if left <= 0:
                raise TimeoutError("Chromium did not answer within %.0f s" % TIMEOUT)
            ready, _, _ = select.select([self.resp_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.resp_r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe (did it start?)")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method):
        for i, m in enumerate(self.events):
            if m.get("method") == method:
                return self.events.pop(i)
        while True:
            m = self._read_message()
            if m.get("method") == method:
                return m
            self.events.append(m)

    def stderr_tail(self, lines=15):
        self.log.seek(0)
        return b"\n".join(self.log.read().splitlines()[-lines:]).decode(errors="replace")

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


MEASURE = """(() => {
  const figs = Array.from(document.querySelectorAll('svg, img'))
      .filter(e => !(e.parentElement && e.parentElement.closest('svg')));
  return JSON.stringify({
    figures: figs.map(e => { const r = e.getBoundingClientRect();
                             return {w: r.width, h: r.height,
                                     label: e.getAttribute('aria-label') || e.tagName}; }),
    findings: document.querySelectorAll('#findings li').length,
    rows: document.querySelectorAll('#summary tbody tr').length,
    scripts: document.scripts.length,
    title: document.title
  });
})()"""


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    chromium, report, shot = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    pdf_path = sys.argv[4] if len(sys.argv) > 4 else None
    url = "file://" + report
    profile = tempfile.mkdtemp(prefix="collapse-chromium-")
    failures = []

    def check(ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    b = Browser(chromium, profile)
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.call(domain + ".enable", session=s)
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 1280, "height": 1600, "deviceScaleFactor": 1, "mobile": False},
               session=s)
        b.call("Page.navigate", {"url": url}, session=s)
        b.wait_event("Page.loadEventFired")
        metrics = json.loads(b.call("Runtime.evaluate", {"expression": MEASURE,
                                                         "returnByValue": True},
                                    session=s)["result"]["value"])
        png = b.call("Page.captureScreenshot", {"format": "png"}, session=s)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        pdf = base64.b64decode(b.call("Page.printToPDF", {"preferCSSPageSize": True,
                                                          "printBackground": True},
                                      session=s)["data"])
        if pdf_path:
            with open(pdf_path, "wb") as f:
                f.write(pdf)
        b.call("Runtime.evaluate", {"expression": "0"}, session=s)  # flush pending events
    except (OSError, RuntimeError, TimeoutError, ValueError, KeyError) as e:
        b.close()
        print("FAIL  Chromium: %s\n--- its stderr:\n%s" % (e, b.stderr_tail()), file=sys.stderr)
        shutil.rmtree(profile, ignore_errors=True)
        return 1
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)

    errors, requests = [], []
    for m in b.events:
        meth, p = m.get("method"), m.get("params", {})
        if meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append("console: %s" % [a.get("value") for a in p.get("args", [])])
        elif meth == "Runtime.exceptionThrown":
            errors.append("exception: %s" % p.get("exceptionDetails", {}).get("text"))
        elif meth == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append("log: %s" % p["entry"].get("text"))
        elif meth == "Network.requestWillBeSent":
            requests.append(p.get("request", {}).get("url", ""))
    check(not errors, "no console errors (%s)" % ("; ".join(errors) or "none"))
    foreign = [u for u in requests if u != url and not u.startswith("data:")]
    check(not foreign, "self-contained: requested only the report itself (%s)"
          % (", ".join(foreign) or "%d request" % len(requests)))
    figs = metrics["figures"]
    empty = [f["label"] for f in figs if not (f["w"] > 0 and f["h"] > 0)]
    check(len(figs) > 0 and not empty, "%d figures, every one with a non-zero rendered size%s"
          % (len(figs), (": empty " + ", ".join(empty)) if empty else ""))
    check(metrics["scripts"] == 0, "the report holds no script")
    check(metrics["findings"] > 0, "%d key findings" % metrics["findings"])
    check(metrics["rows"] > 0, "%d rows in the summary tables" % metrics["rows"])
    check(pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") + pdf.count(b"/Type/Page") > 1,
          "prints to PDF (%d bytes)" % len(pdf))
    a4 = b"595.2" in pdf or b"595.3" in pdf or b"[0 0 595 842]" in pdf or b"595.28" in pdf
    check(a4, "PDF pages are A4 (595 x 842 pt)")
    check(os.path.getsize(shot) > 10000, "screenshot saved: %s" % shot)
    if failures:
        print("report_check: %d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
