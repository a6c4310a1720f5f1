#!/usr/bin/env python3
"""Checks pelnas HTML reports as a person would see them: each page is rendered in headless
Chromium at two window widths and must load without console errors, with every chart's axis
labels, title and legend drawn inside the chart (nothing clipped), legend entries not overlapping
each other or the plot area, and no horizontal overflow of the page. The page is also loaded as
XHTML (application/xhtml+xml), where any well-formedness error shows as a parser error.

A copy of each page gets a small measuring script (the reports themselves carry no script); its
verdict comes back through the DOM (--dump-dom). Screenshots go to --shots DIR for a look.

usage: check_report_render.py [--chromium PATH] [--widths 1280,640] [--shots DIR] PAGE.html...
exit 0 when every page passes, 1 otherwise (each problem printed), 2 on bad usage.
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MEASURE = r"""
<script>
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push('uncaught: ' + e.message); });
  var origError = console.error;
  console.error = function () { errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); origError.apply(console, arguments); };
  function box(el) { var b = el.getBBox(); return {x: b.x, y: b.y, w: b.width, h: b.height}; }
  function inside(b, vb, what, id, problems) {
    var eps = 0.5;
    if (b.x < vb.x - eps || b.y < vb.y - eps || b.x + b.w > vb.x + vb.width + eps || b.y + b.h > vb.y + vb.height + eps)
      problems.push(id + ': ' + what + ' clipped (box ' + [b.x, b.y, b.w, b.h].map(Math.round).join(',') +
                    ' outside 0,0,' + vb.width + ',' + vb.height + ')');
  }
  function overlap(a, b) { return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h; }
  function check() {
    var problems = [], charts = 0;
    var svgs = document.querySelectorAll('svg.plot');
    svgs.forEach(function (svg) {
      charts++;
      var id = svg.id || ('chart ' + charts);
      var vb = svg.viewBox.baseVal;
      var xl = svg.querySelector(':scope > text.xlabel'), yl = svg.querySelector(':scope > text.ylabel'),
          title = svg.querySelector(':scope > text.title');
      if (!xl || !xl.textContent.trim()) problems.push(id + ': no x-axis label');
      if (!yl || !yl.textContent.trim()) problems.push(id + ': no y-axis label');
      if (!title || !title.textContent.trim()) problems.push(id + ': no title');
      // Rotated y label: its box in the svg's user space.
      [[xl, 'x-axis label'], [title, 'title']].forEach(function (p) { if (p[0]) inside(box(p[0]), vb, p[1], id, problems); });
      if (yl) {
        var r = yl.getBoundingClientRect(), s = svg.getBoundingClientRect();
        if (r.left < s.left - 1 || r.top < s.top - 1 || r.bottom > s.bottom + 1) problems.push(id + ': y-axis label clipped');
      }
      var area = svg.querySelector(':scope > rect.plot-area');
      var areaBox = area ? box(area) : null;
      var entries = [];
      svg.querySelectorAll(':scope > g.legend > text').forEach(function (t) {
        var b = box(t);
        inside(b, vb, 'legend entry "' + t.textContent + '"', id, problems);
        if (areaBox && overlap(b, areaBox)) problems.push(id + ': legend entry "' + t.textContent + '" overlaps the plot area');
        entries.forEach(function (o) { if (overlap(o.b, b)) problems.push(id + ': legend entries "' + o.t + '" and "' + t.textContent + '" overlap'); });
        entries.push({b: b, t: t.textContent});
      });
      svg.querySelectorAll(':scope > g.axes > text').forEach(function (t) { inside(box(t), vb, 'tick label ' + t.textContent, id, problems); });
      var rect = svg.getBoundingClientRect();
      if (rect.width < 50 || rect.height < 50) problems.push(id + ': drawn at ' + Math.round(rect.width) + 'x' + Math.round(rect.height) + ' px');
    });
    var doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1)
      problems.push('page wider than the window: ' + doc.scrollWidth + ' > ' + window.innerWidth + ' px');
    var out = document.createElement('pre');
    out.id = 'pelnas-render-check';
    out.textContent = JSON.stringify({charts: charts, problems: problems, errors: errors, width: window.innerWidth,
                                      height: doc.scrollHeight});
    document.body.appendChild(out);
  }
  if (document.readyState === 'complete') check(); else window.addEventListener('load', check);
})();
</script>
"""


def chromium_args(chromium, width, extra, height=900):
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--disable-extensions", "--enable-logging=stderr", "--v=0", f"--window-size={width},{height}",
            "--virtual-time-budget=3000", "--user-data-dir=" + tempfile.mkdtemp(prefix="pelnas-chromium-")] + extra


def console_errors(stderr):
    bad = []
    for line in stderr.splitlines():
        if "CONSOLE" in line and ("Uncaught" in line or "ERROR" in line.split("CONSOLE")[0] or "Error" in line):
            bad.append(line.strip())
    return bad


def check_page(chromium, page, widths, shots):
    problems = []
    text = open(page, encoding="utf-8").read()
    if "</body>" not in text:
        return [f"{page}: no </body>"]
    work = tempfile.mkdtemp(prefix="pelnas-render-")
    try:
        measured = os.path.join(work, "page.html")
        with open(measured, "w", encoding="utf-8") as f:
            f.write(text.replace("</body>", MEASURE + "</body>", 1))
        for w in widths:
            r = subprocess.run(chromium_args(chromium, w, ["--dump-dom", "file://" + measured]),
                               capture_output=True, text=True, timeout=120)
            m = re.search(r'<pre id="pelnas-render-check">(.*?)</pre>', r.stdout, re.S)
            if not m:
                problems.append(f"{page} @ {w}px: the page did not finish loading (exit {r.returncode}): {r.stderr[-400:]}")
                continue
            verdict = json.loads(html.unescape(m.group(1)))
            if verdict["charts"] == 0:
                problems.append(f"{page} @ {w}px: no charts found")
            problems += [f"{page} @ {w}px: {p}" for p in verdict["problems"]]
            problems += [f"{page} @ {w}px: {e}" for e in verdict["errors"]]
            problems += [f"{page} @ {w}px: {e}" for e in console_errors(r.stderr)]
            print(f"  {os.path.basename(page)} @ {w}px: {verdict['charts']} charts, "
                  f"{len(verdict['problems']) + len(verdict['errors'])} problems")
            if shots:
                os.makedirs(shots, exist_ok=True)
                stem = os.path.splitext(os.path.basename(page))[0]
                shot = os.path.join(shots, f"{stem}-{w}.png")
                tall = min(int(verdict.get("height", 900)) + 40, 16000)
                subprocess.run(chromium_args(chromium, w, ["--screenshot=" + shot, "file://" + os.path.abspath(page)], tall),
                               capture_output=True, text=True, timeout=120)
        # As XHTML: a well-formedness error becomes a visible parser error.
        xhtml = os.path.join(work, "page.xhtml")
        shutil.copyfile(page, xhtml)
        r = subprocess.run(chromium_args(chromium, widths[0], ["--dump-dom", "file://" + xhtml]),
                           capture_output=True, text=True, timeout=120)
        if "parsererror" in r.stdout or "This page contains the following errors" in r.stdout:
            problems.append(f"{page}: not well-formed XHTML (Chromium's XML parser refused it)")
        elif "<svg" not in r.stdout:
            problems.append(f"{page}: loaded as XHTML, no SVG came out (exit {r.returncode})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="+")
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    ap.add_argument("--widths", default="1280,640")
    ap.add_argument("--shots", default="")
    a = ap.parse_args()
    try:
        widths = [int(w) for w in a.widths.split(",") if w]
    except ValueError:
        print(f"--widths: expected comma-separated integers, got {a.widths!r}", file=sys.stderr)
        return 2
    if not shutil.which(a.chromium) and not os.path.exists(a.chromium):
        print(f"chromium not found ({a.chromium}); install the Debian package 'chromium'", file=sys.stderr)
        return 2
    problems = []
    for p in a.pages:
        if not os.path.isfile(p):
            print(f"{p}: no such file", file=sys.stderr)
            return 2
        problems += check_page(a.chromium, p, widths, a.shots)
    for p in problems:
        print("FAIL " + p)
    print(f"render check: {len(a.pages)} page(s) at {len(widths)} widths, no problems" if not problems else
          f"render check: {len(problems)} problem(s) in {len(a.pages)} page(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
