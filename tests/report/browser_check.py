#!/usr/bin/python3
"""Open cartsim HTML reports in headless Chromium and check them (ctest label "browser").

For each report: the page loads with no console error, no uncaught exception and no request for
anything but the file itself (it must open offline); every plot renders and draws items in its
data marks (counted in Vega's scene graph, and for SVG plots in the DOM); the log/linear switch
re-renders; a full-page screenshot is not blank (decoded here: enough pixels differ from the
background). Prints the time from navigation to the last plot rendered.

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages
ended by NUL on file descriptors 3 and 4), so it needs only Python's standard library and Debian's
chromium.

  browser_check.py [--chromium PATH] [--screenshot-dir DIR] [--figure-dir DIR]
                   [--max-load-ms MS] REPORT.html...

Exit codes: 0 all reports pass, 1 a check failed, 77 Chromium is absent (ctest: skipped).
"""
import argparse
import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

SKIP = 77


class Browser:
    """Chromium with a DevTools pipe; one page target attached with a flat session."""

    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="cartsim-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "--window-size=1200,900", "about:blank"]

        def fds():  # in the child: the pipe ends on 3 (commands in) and 4 (answers out)
            read_end, write_end = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(read_end, 3, inheritable=True)
            os.dup2(write_end, 4, inheritable=True)

        self.process = subprocess.Popen(args, preexec_fn=fds, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        return self.next_id

    def read(self, timeout):
        deadline = time.time() + timeout
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            import select
            ready, _, _ = select.select([self.from_child], [], [], 0.2)
            if ready:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=60):
        wanted = self.send(method, params, session)
        while True:
            m = self.read(timeout)
            if m.get("id") == wanted:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def page(self, method, params=None, timeout=60):
        return self.call(method, params, self.session, timeout)

    def wait_event(self, name, timeout):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    return self.events.pop(i)
            m = self.read(max(0.1, deadline - time.time()))
            if "method" in m:
                self.events.append(m)

    def close(self):
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def png_pixels(data):
    """(width, height, rows of RGB(A) bytes) of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and interlace == 0 and color in (2, 6), "unsupported PNG"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def non_background_share(png):
    """Share of pixels (sampled on a grid) that differ from the most common colour."""
    width, height, channels, rows = png_pixels(png)
    counts = {}
    samples = []
    for y in range(0, height, 3):
        row = rows[y]
        for x in range(0, width, 3):
            px = row[x * channels:x * channels + 3]
            samples.append(px)
            counts[px] = counts.get(px, 0) + 1
    background = max(counts, key=counts.get)
    return sum(1 for px in samples if px != background) / len(samples), len(counts)


def check_report(browser, path, screenshot_dir, figure_dir, max_load_ms):
    failures = []
    url = "file://" + os.path.abspath(path)
    browser.events.clear()
    browser.page("Page.navigate", {"url": url})
    browser.wait_event("Page.loadEventFired", 60)
    result = browser.page("Runtime.evaluate", {
        "expression": "window.cartsimReport ? window.cartsimReport.ready : "
                      "Promise.reject(new Error('no window.cartsimReport'))",
        "awaitPromise": True, "returnByValue": True}, timeout=120)
    if "exceptionDetails" in result:
        failures.append("plots did not render: " +
                        json.dumps(result["exceptionDetails"].get("exception", {}).get(
                            "description", result["exceptionDetails"]))[:400])
        timing = {}
    else:
        timing = result["result"]["value"]
    counts = browser.page("Runtime.evaluate", {"expression": "window.cartsimReport.count()",
                                               "returnByValue": True}).get("result", {}).get(
        "value", {})
    # Switch the first plot's y axis and back: it must re-render with items both times.
    toggled = browser.page("Runtime.evaluate", {
        "expression": "(async () => { const b = document.querySelector('figure.plot button.scale');"
                      " if (!b) return 'none'; const id = b.closest('figure').id;"
                      " const p = window.cartsimReport; const was = p.isLog(id);"
                      " await p.setLog(id, !was); const a = p.count()[id].total;"
                      " await p.setLog(id, was); return [a, p.count()[id].total]; })()",
        "awaitPromise": True, "returnByValue": True}).get("result", {}).get("value")
    metrics = browser.page("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize", metrics.get("contentSize"))
    shot = browser.page("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": min(size["width"], 1400),
                 "height": min(size["height"], 16000), "scale": 0.4}}, timeout=120)
    png = base64.b64decode(shot["data"])
    share, colours = non_background_share(png)
    if screenshot_dir:
        os.makedirs(screenshot_dir, exist_ok=True)
        name = os.path.basename(os.path.dirname(os.path.abspath(path))) + ".png"
        with open(os.path.join(screenshot_dir, name), "wb") as f:
            f.write(png)
    if figure_dir:
        # One picture per plot at full scale (the user guide's images).
        rects = browser.page("Runtime.evaluate", {
            "expression": "Array.from(document.querySelectorAll('figure.plot, section#overview')).map(f => {"
                          " const r = f.getBoundingClientRect(); return [f.id, r.left + scrollX,"
                          " r.top + scrollY, r.width, r.height]; })",
            "returnByValue": True})["result"]["value"]
        os.makedirs(figure_dir, exist_ok=True)
        stem = os.path.basename(os.path.dirname(os.path.abspath(path)))
        for fid, x, y, w, h in rects:
            pic = browser.page("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": x, "y": y, "width": w, "height": h, "scale": 1}})
            with open(os.path.join(figure_dir, f"{stem}_{fid}.png"), "wb") as f:
                f.write(base64.b64decode(pic["data"]))
    # Events collected while the page ran.
    for e in browser.events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            failures.append("uncaught exception: " +
                            params.get("exceptionDetails", {}).get("text", "") + " " +
                            str(params.get("exceptionDetails", {}).get("exception", {}).get(
                                "description", ""))[:300])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert",
                                                                             "warning"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in
                            params.get("args", []))
            failures.append(f"console {params.get('type')}: {text[:300]}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            failures.append("browser log error: " + params["entry"].get("text", "")[:300])
        elif method == "Network.requestWillBeSent":
            req = params.get("request", {}).get("url", "")
            if not (req == url or req.startswith("data:") or req.startswith("about:")):
                failures.append("the page requested " + req[:200] + " (it must open offline)")
    n_plots = len(counts)
    if n_plots == 0:
        failures.append("no plots")
    for pid, c in sorted(counts.items(), key=lambda kv: int(kv[0].split("-")[1])):
        if c["total"] <= 0:
            failures.append(f"{pid} ({c['title']}): no data items drawn {c['marks']}")
        if c["renderer"] == "svg" and c["svg_elements"] <= 0:
            failures.append(f"{pid} ({c['title']}): SVG has no drawn elements")
    if toggled != "none" and (not isinstance(toggled, list) or min(toggled) <= 0):
        failures.append(f"log/linear switch: items drawn after switching {toggled}")
    if share < 0.02 or colours < 8:
        failures.append(f"screenshot looks blank: {share:.1%} non-background pixels, "
                        f"{colours} colours")
    load_ms = timing.get("since_navigation_ms", float("nan"))
    if max_load_ms and load_ms == load_ms and load_ms > max_load_ms:
        failures.append(f"took {load_ms:.0f} ms to render (limit {max_load_ms:.0f} ms)")
    total_items = sum(c["total"] for c in counts.values())
    print(f"{'ok  ' if not failures else 'FAIL'} {path}: {n_plots} plots, {total_items} items "
          f"drawn, rendered {load_ms:.0f} ms after navigation, {os.path.getsize(path) / 1e6:.2f} "
          f"MB, screenshot {share:.0%} non-background")
    for f in failures:
        print("     " + f)
    return not failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+")
    parser.add_argument("--chromium", default=os.environ.get("CARTSIM_CHROMIUM", "chromium"))
    parser.add_argument("--screenshot-dir", help="save each page's screenshot (scale 0.4) here")
    parser.add_argument("--figure-dir", help="save a full-scale picture of every plot here")
    parser.add_argument("--max-load-ms", type=float, default=0)
    args = parser.parse_args()
    chromium = shutil.which(args.chromium)
    if not chromium:
        print(f"SKIPPED: Chromium ('{args.chromium}') is not installed; the browser tests need "
              "Debian's chromium (scripts/install_deps.sh test installs it)")
        return SKIP
    browser = Browser(chromium)
    try:
        browser.page("Page.enable")
        browser.page("Runtime.enable")
        browser.page("Log.enable")
        browser.page("Network.enable")
        ok = 0
        for report in args.reports:
            ok += check_report(browser, report, args.screenshot_dir, args.figure_dir,
                               args.max_load_ms)
    finally:
        browser.close()
    print(f"{ok} passed, {len(args.reports) - ok} failed")
    return 0 if ok == len(args.reports) else 1


if __name__ == "__main__":
    sys.exit(main())
